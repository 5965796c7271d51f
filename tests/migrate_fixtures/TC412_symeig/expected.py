import torch

A = torch.tensor([[2.0, 1.0], [1.0, 2.0]])
e, V = torch.linalg.eigh(A, UPLO='U')
w = torch.linalg.eigvalsh(A, UPLO='U')
print(e.tolist(), w.tolist(), V.abs().reshape(-1).tolist())
