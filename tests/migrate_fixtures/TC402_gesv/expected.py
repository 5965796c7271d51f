import torch

A = torch.tensor([[4.0, 1.0], [1.0, 3.0]])
B = torch.tensor([[1.0], [2.0]])
x = torch.linalg.solve(A, B)
print(x.reshape(-1).tolist())
print(torch.linalg.solve(A, B).reshape(-1).tolist())
