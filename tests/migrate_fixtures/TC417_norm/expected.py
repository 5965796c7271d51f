import torch

x = torch.tensor([[3.0, 4.0], [1.0, 2.0]])
print(float(torch.linalg.vector_norm(x)), float(torch.linalg.vector_norm(x, 1)), torch.linalg.vector_norm(x, 2, 1).tolist(), torch.linalg.vector_norm(x, 1, 0, keepdim=True).tolist())


def by_hand():
    return torch.norm(x, 'nuc')
