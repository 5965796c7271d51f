# torchcompat: source-version 1.6 (the era the code was written for: see migrate/README.md)
import torch

a = torch.full((2, 3), 1)
b = torch.full((2, 3), 1.0)
c = torch.full((2, 3), 0, dtype=torch.long)
d = torch.full((2,), -1)
