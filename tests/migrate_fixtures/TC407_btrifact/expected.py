import torch

A = torch.tensor([[[4.0, 1.0], [1.0, 3.0]], [[2.0, 1.0], [1.0, 5.0]]])
lu, piv = torch.linalg.lu_factor(A)
print(lu.shape, piv.shape)
