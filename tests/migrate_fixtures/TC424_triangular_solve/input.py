import torch

R = torch.tensor([[2.0, 1.0], [0.0, 3.0]])
b = torch.tensor([[1.0], [3.0]])
x, _ = torch.triangular_solve(b, R)
y = torch.triangular_solve(b, R.t(), upper=False)[0]
