import torch

A = torch.tensor([[2.0, 1.0], [1.0, 2.0]])
e, V = torch.symeig(A, eigenvectors=True)
w, _ = torch.symeig(A)
print(e.tolist(), w.tolist(), V.abs().reshape(-1).tolist())
