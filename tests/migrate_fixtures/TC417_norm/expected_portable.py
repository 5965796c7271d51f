import torch
import torchcompat as tc

x = torch.tensor([[3.0, 4.0], [1.0, 2.0]])
print(float(tc.linalg.vector_norm(x)), float(tc.linalg.vector_norm(x, 1)), tc.linalg.vector_norm(x, 2, 1).tolist(), tc.linalg.vector_norm(x, 1, 0, keepdim=True).tolist())


def by_hand():
    return torch.norm(x, 'nuc')
