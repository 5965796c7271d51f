import torch

A = torch.tensor([[4.0, 1.0], [1.0, 3.0]])
LU, piv = torch.linalg.lu_factor(A)
LU2, piv2, info = torch.linalg.lu_factor_ex(A)
