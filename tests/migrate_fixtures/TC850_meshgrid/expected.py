import torch

a, b = torch.meshgrid(torch.arange(3), torch.arange(2), indexing='ij')
print(a.shape, a[:, 0].tolist())


def modern():
    return torch.meshgrid([torch.arange(3), torch.arange(2)], indexing="xy")
