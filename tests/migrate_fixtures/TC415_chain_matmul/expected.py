import torch

a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
print(torch.linalg.multi_dot([a, a, a]).reshape(-1).tolist())
