import torch

w = torch.randn(3, requires_grad=True)
a = w.detach().numpy()
b = w.cpu().detach().numpy()
c = torch.randn(3).numpy()
