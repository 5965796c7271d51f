import torch

mask = x.gt(0)
inv = (mask == 0)
inv2 = ((torch.abs(x) > 1) == 0)
flag = 1 - (a > b)
