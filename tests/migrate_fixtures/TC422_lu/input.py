import torch

A = torch.tensor([[4.0, 1.0], [1.0, 3.0]])
LU, piv = torch.lu(A)
LU2, piv2, info = torch.lu(A, get_infos=True)
