import torch

A = torch.tensor([[4.0, 1.0], [1.0, 3.0]])
B = torch.tensor([[1.0], [2.0]])
x, LU = torch.solve(B, A)
print(x.reshape(-1).tolist())
print(torch.solve(B, A).solution.reshape(-1).tolist())


def by_hand():
    return torch.solve(B, A)
