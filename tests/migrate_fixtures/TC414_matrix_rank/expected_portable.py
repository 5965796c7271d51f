import torch
import torchcompat as tc

A = torch.tensor([[1.0, 2.0], [2.0, 4.0]])
print(int(tc.linalg.matrix_rank(A)), int(tc.linalg.matrix_rank(A, hermitian=True)), int(tc.linalg.matrix_rank(A, atol=1e-3, rtol=0)))
