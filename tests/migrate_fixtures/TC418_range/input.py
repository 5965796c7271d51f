import torch

N = 5
t = torch.range(0, N - 1) / N
u = torch.range(1, N)
v = torch.range(0, 1, 0.25)
print(v.tolist(), t.tolist(), u.tolist(), t.dtype == u.dtype == torch.float32)
