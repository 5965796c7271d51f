import torch
from torch import ger

a = torch.tensor([1.0, 2.0])
print(torch.outer(a, a).reshape(-1).tolist(), torch.outer(a, a).sum().item())
