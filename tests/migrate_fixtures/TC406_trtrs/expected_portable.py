import torch
import torchcompat as tc

R = torch.tensor([[2.0, 1.0], [0.0, 3.0]])
b = torch.tensor([[1.0], [3.0]])
x = tc.linalg.solve_triangular(R, b, upper=True)
y = tc.linalg.solve_triangular(R.transpose(-2, -1), b, upper=False)
print(x.reshape(-1).tolist(), y.reshape(-1).tolist())
