import torch

U = torch.tensor([[2.0, 0.5], [0.0, 1.6583124]])
print(torch.potri(U).reshape(-1).tolist())
