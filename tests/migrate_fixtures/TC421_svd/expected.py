import torch

A = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
U, S, V = torch.svd(A)
