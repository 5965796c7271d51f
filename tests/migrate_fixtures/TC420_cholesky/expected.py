import torch

A = torch.tensor([[4.0, 1.0], [1.0, 3.0]])
print(torch.linalg.cholesky(A).reshape(-1).tolist(), torch.linalg.cholesky(A).mH.reshape(-1).tolist())
