import torch
from torch.cuda.amp import autocast

with torch.cuda.amp.autocast():
    pass
with autocast(enabled=False):
    pass
with torch.cuda.amp.autocast(True, torch.bfloat16):
    pass
