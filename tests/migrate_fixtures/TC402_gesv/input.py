import torch

A = torch.tensor([[4.0, 1.0], [1.0, 3.0]])
B = torch.tensor([[1.0], [2.0]])
x, _ = torch.gesv(B, A)
print(x.reshape(-1).tolist())
print(torch.gesv(B, A)[0].reshape(-1).tolist())
