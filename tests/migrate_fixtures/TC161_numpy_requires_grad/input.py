# torchcompat: source-version 0.3 (the era the code was written for: see migrate/README.md)
import torch

w = torch.randn(3, requires_grad=True)
a = w.numpy()
b = w.cpu().numpy()
c = torch.randn(3).numpy()
