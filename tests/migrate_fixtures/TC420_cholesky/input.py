import torch

A = torch.tensor([[4.0, 1.0], [1.0, 3.0]])
print(torch.cholesky(A).reshape(-1).tolist(), torch.cholesky(A, upper=True).reshape(-1).tolist())
