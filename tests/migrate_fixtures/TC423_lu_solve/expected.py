import torch

A = torch.tensor([[4.0, 1.0], [1.0, 3.0]])
B = torch.tensor([[1.0], [2.0]])
LU, piv = torch.linalg.lu_factor(A)
x = torch.linalg.lu_solve(LU, piv, B)
