import torch
import torchcompat as tc

U = torch.tensor([[2.0, 0.5], [0.0, 1.6583124]])
print(tc.cholesky_inverse(U, upper=True).reshape(-1).tolist())
