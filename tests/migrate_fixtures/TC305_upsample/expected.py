import torch.nn.functional as F
from torch.nn.functional import upsample

a = F.interpolate(x, scale_factor=2, mode='bilinear', align_corners=True)
b = F.interpolate(x, size=(4, 4))
c = F.interpolate(x, None, 2, 'trilinear', align_corners=True)
d = F.interpolate(x, scale_factor=2, mode='bilinear', align_corners=False)
e = F.interpolate(x, scale_factor=2, mode=m)
