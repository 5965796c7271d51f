import torch

x = torch.randn(3).cuda(async=True)
y.copy_(x, async = True)
z = x.to("cpu", non_blocking=True)
async_ = 3
