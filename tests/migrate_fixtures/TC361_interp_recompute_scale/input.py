# torchcompat: source-version 1.5 (the era the code was written for: see migrate/README.md)
import torch.nn.functional as F

a = F.interpolate(x, scale_factor=1.5, mode="bilinear", align_corners=False)
b = F.interpolate(x, scale_factor=2.0)
c = F.interpolate(x, size=(4, 4))
