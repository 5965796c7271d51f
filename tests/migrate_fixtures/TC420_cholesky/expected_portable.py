import torch
import torchcompat as tc

A = torch.tensor([[4.0, 1.0], [1.0, 3.0]])
print(tc.linalg.cholesky(A).reshape(-1).tolist(), tc.linalg.cholesky(A, upper=True).reshape(-1).tolist())
