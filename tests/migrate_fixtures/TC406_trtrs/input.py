import torch

R = torch.tensor([[2.0, 1.0], [0.0, 3.0]])
b = torch.tensor([[1.0], [3.0]])
x = torch.trtrs(b, R)[0]
y, _ = torch.trtrs(b, R, upper=True, transpose=True)
print(x.reshape(-1).tolist(), y.reshape(-1).tolist())
