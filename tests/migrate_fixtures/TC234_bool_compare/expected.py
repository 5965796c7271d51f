# torchcompat: source-version 1.1 (the era the code was written for: see migrate/README.md)
import torch

mask = x.gt(0)
inv = (mask == 0)
inv2 = ((torch.abs(x) > 1) == 0)
flag = 1 - (a > b)
