# torchcompat: source-version 1.9 (the era the code was written for: see migrate/README.md)
import torch

a, b = torch.meshgrid(torch.arange(3), torch.arange(2), indexing='ij')
print(a.shape, a[:, 0].tolist())


def modern():
    return torch.meshgrid([torch.arange(3), torch.arange(2)], indexing="xy")
