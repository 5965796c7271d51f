import torch

A = torch.tensor([[4.0, 1.0], [1.0, 3.0]])
U = torch.potrf(A)
L = torch.potrf(A, upper=False)
print(U.reshape(-1).tolist(), L.reshape(-1).tolist())
