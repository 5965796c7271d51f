import torch

x = torch.randn(3).cuda(non_blocking=True)
y.copy_(x, non_blocking = True)
z = x.to("cpu", non_blocking=True)
async_ = 3
