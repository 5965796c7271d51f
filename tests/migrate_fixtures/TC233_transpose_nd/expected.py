# torchcompat: source-version 1.10 (the era the code was written for: see migrate/README.md)
import torch

x = torch.zeros(3, 4, 5)
a = x.permute(2, 1, 0)
b = torch.randn(4).permute(0)
c = torch.randn(3, 4).T
d = torch.ones((2, 3, 4, 5)).permute(3, 2, 1, 0)


def f(y):
    return y.T
