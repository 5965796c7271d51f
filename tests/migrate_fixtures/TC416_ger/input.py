import torch
from torch import ger

a = torch.tensor([1.0, 2.0])
print(torch.ger(a, a).reshape(-1).tolist(), ger(a, a).sum().item())
