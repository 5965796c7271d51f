import torch

R = torch.tensor([[2.0, 1.0], [0.0, 3.0]])
b = torch.tensor([[1.0], [3.0]])
x = torch.linalg.solve_triangular(R, b, upper=True)
y = torch.linalg.solve_triangular(R.t(), b, upper=False)
