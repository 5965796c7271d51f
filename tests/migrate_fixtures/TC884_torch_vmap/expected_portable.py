import torch
import torchcompat as tc

batched = tc.vmap(torch.dot)(a, b)
