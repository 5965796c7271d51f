# torchcompat: source-version 1.1 (the era the code was written for: see migrate/README.md)
import torch

mask = x.gt(0)
inv = 1 - mask
inv2 = 1 - (torch.abs(x) > 1)
flag = 1 - (a > b)
