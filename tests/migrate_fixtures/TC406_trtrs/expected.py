import torch

R = torch.tensor([[2.0, 1.0], [0.0, 3.0]])
b = torch.tensor([[1.0], [3.0]])
x = torch.linalg.solve_triangular(R, b, upper=True)
y = torch.linalg.solve_triangular(R.transpose(-2, -1), b, upper=False)
print(x.reshape(-1).tolist(), y.reshape(-1).tolist())
