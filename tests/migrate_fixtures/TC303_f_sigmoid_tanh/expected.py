import torch
import torch.nn.functional as F
from torch.nn.functional import sigmoid

a = torch.sigmoid(x) * torch.tanh(x)
act = torch.tanh
b = torch.sigmoid(x)


def g(F):
    return F.sigmoid(x)  # a parameter named F: not torch's
