import torch

N = 5
t = torch.arange(0, N, dtype=torch.get_default_dtype()) / N
u = torch.arange(1, N + 1, dtype=torch.get_default_dtype())
v = torch.range(0, 1, 0.25)
print(v.tolist(), t.tolist(), u.tolist(), t.dtype == u.dtype == torch.float32)
