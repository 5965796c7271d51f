import torch

x = torch.tensor([[3.0, 4.0], [1.0, 2.0]])
print(float(torch.norm(x)), float(torch.norm(x, 1)), torch.norm(x, 2, 1).tolist(), torch.norm(x, p=1, dim=0, keepdim=True).tolist())


def by_hand():
    return torch.norm(x, 'nuc')
