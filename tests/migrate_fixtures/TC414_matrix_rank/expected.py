import torch

A = torch.tensor([[1.0, 2.0], [2.0, 4.0]])
print(int(torch.linalg.matrix_rank(A)), int(torch.linalg.matrix_rank(A, hermitian=True)), int(torch.linalg.matrix_rank(A, atol=1e-3, rtol=0)))
