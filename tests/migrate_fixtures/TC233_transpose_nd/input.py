# torchcompat: source-version 1.10 (the era the code was written for: see migrate/README.md)
import torch

x = torch.zeros(3, 4, 5)
a = x.T
b = torch.randn(4).T
c = torch.randn(3, 4).T
d = torch.ones((2, 3, 4, 5)).T


def f(y):
    return y.T
