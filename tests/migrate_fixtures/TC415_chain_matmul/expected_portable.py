import torch
import torchcompat as tc

a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
print(tc.linalg.multi_dot([a, a, a]).reshape(-1).tolist())
