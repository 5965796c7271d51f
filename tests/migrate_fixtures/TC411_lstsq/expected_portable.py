import torch
import torchcompat as tc

A = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]])
b = torch.tensor([[1.0], [2.0], [4.0]])
X = tc.linalg.lstsq(A, b).solution
print(X[:2].reshape(-1).tolist())
