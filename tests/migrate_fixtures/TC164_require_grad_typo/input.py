import torch

x = torch.zeros(1)
x.require_grad = True
x.requires_grad = False  # right spelling: untouched
require_grad = False  # a plain variable: untouched
flag = x.require_grad  # a read: untouched (the attribute may be the user's own)
