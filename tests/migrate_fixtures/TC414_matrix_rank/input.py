import torch

A = torch.tensor([[1.0, 2.0], [2.0, 4.0]])
print(int(torch.matrix_rank(A)), int(torch.matrix_rank(A, symmetric=True)), int(torch.matrix_rank(A, 1e-3)))
