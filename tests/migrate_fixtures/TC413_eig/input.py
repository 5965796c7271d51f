import torch

A = torch.tensor([[0.0, -1.0], [1.0, 0.0]])
e, _ = torch.eig(A)
print(sorted(e[:, 1].tolist()))


def by_hand():
    return torch.eig(A, eigenvectors=True)
