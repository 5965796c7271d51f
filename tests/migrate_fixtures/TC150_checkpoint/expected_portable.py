# torchcompat: source-version 2.3 (the era the code was written for: see migrate/README.md)
import torch
import torchcompat as tc
from torch.utils.checkpoint import checkpoint

layer = torch.nn.Linear(2, 2)
x = torch.randn(3, 2, requires_grad=True)
y = tc.checkpoint(layer, x, use_reentrant=True)
z = torch.utils.checkpoint.checkpoint(layer, x, use_reentrant=False)
