import torch
import torchcompat as tc
from torch.cuda.amp import autocast

with tc.autocast('cuda'):
    pass
with tc.autocast('cuda', enabled=False):
    pass
with tc.autocast('cuda', enabled=True, dtype=torch.bfloat16):
    pass
