import torch.nn.functional as F
from torch.nn.functional import upsample

a = F.upsample(x, scale_factor=2, mode='bilinear')
b = F.upsample(x, size=(4, 4))
c = F.upsample(x, None, 2, 'trilinear')
d = F.upsample(x, scale_factor=2, mode='bilinear', align_corners=False)
e = upsample(x, scale_factor=2, mode=m)
