import torch
from torch.cuda.amp import autocast

with torch.autocast('cuda'):
    pass
with torch.autocast('cuda', enabled=False):
    pass
with torch.autocast('cuda', enabled=True, dtype=torch.bfloat16):
    pass
