import torch

A = torch.tensor([[[4.0, 1.0], [1.0, 3.0]], [[2.0, 1.0], [1.0, 5.0]]])
b = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
lu, piv = torch.linalg.lu_factor(A)
x = torch.linalg.lu_solve(lu, piv, b.unsqueeze(-1)).squeeze(-1)
print(x.reshape(-1).tolist())
