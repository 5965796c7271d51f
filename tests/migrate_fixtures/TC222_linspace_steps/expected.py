import torch

x = torch.linspace(0, 1, steps=100)
y = torch.logspace(0, 2, 5)
print(x.shape, y.shape)
