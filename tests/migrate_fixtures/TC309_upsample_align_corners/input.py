# torchcompat: source-version 0.3 (the era the code was written for: see migrate/README.md)
import torch.nn as nn

up = nn.Upsample(scale_factor=2, mode="bilinear")
up3 = nn.Upsample(None, 2, "trilinear")
ok = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)
near = nn.Upsample(scale_factor=2)
