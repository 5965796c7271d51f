# torchcompat: source-version 0.3 (the era the code was written for: see migrate/README.md)
import torch

w = torch.randn(3, requires_grad=True)
a = w.detach().numpy()
b = w.cpu().detach().numpy()
c = torch.randn(3).numpy()
