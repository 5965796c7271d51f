import torch

with torch.cpu.amp.autocast(dtype=torch.bfloat16):
    pass
