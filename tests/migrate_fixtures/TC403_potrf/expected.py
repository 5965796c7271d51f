import torch

A = torch.tensor([[4.0, 1.0], [1.0, 3.0]])
U = torch.linalg.cholesky(A).mH
L = torch.linalg.cholesky(A)
print(U.reshape(-1).tolist(), L.reshape(-1).tolist())
