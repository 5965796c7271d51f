import torch
import torchcompat as tc

A = torch.tensor([[4.0, 1.0], [1.0, 3.0]])
LU, piv = tc.linalg.lu_factor(A)
LU2, piv2, info = torch.lu(A, get_infos=True)
