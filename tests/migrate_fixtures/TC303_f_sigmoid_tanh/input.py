import torch.nn.functional as F
from torch.nn.functional import sigmoid

a = F.sigmoid(x) * F.tanh(x)
act = F.tanh
b = sigmoid(x)


def g(F):
    return F.sigmoid(x)  # a parameter named F: not torch's
