import torch

a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
print(torch.chain_matmul(a, a, a).reshape(-1).tolist())
