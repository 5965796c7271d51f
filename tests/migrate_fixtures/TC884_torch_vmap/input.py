import torch

batched = torch.vmap(torch.dot)(a, b)
