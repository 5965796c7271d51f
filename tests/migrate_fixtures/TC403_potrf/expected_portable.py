import torch
import torchcompat as tc

A = torch.tensor([[4.0, 1.0], [1.0, 3.0]])
U = tc.linalg.cholesky(A, upper=True)
L = tc.linalg.cholesky(A)
print(U.reshape(-1).tolist(), L.reshape(-1).tolist())
