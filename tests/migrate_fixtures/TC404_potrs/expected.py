import torch

A = torch.tensor([[4.0, 1.0], [1.0, 3.0]])
b = torch.tensor([[1.0], [2.0]])
U = torch.tensor([[2.0, 0.5], [0.0, 1.6583124]])
x = torch.cholesky_solve(b, U, upper=True)
print(x.reshape(-1).tolist())
