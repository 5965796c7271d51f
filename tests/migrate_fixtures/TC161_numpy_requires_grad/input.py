import torch

w = torch.randn(3, requires_grad=True)
a = w.numpy()
b = w.cpu().numpy()
c = torch.randn(3).numpy()
