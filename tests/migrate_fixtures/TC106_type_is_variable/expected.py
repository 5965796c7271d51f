import torch
import torch.nn as nn
from torch.autograd import Variable


def repackage_hidden(h):
    """Wraps hidden states in new Variables, to detach them from their history."""
    if isinstance(h, torch.Tensor):
        return h.data
    else:
        return tuple(repackage_hidden(v) for v in h)


def flags(x, y):
    a = isinstance(x, torch.Tensor)
    b = not isinstance(y, torch.Tensor)
    c = x is not None and not isinstance(x, torch.Tensor)
    d = [isinstance(v, torch.Tensor) for v in (x, y)]
    return a, b, c, d


# left alone: not the builtin type, not torch's Variable, not a type() comparison
def kept(x, Variable2, type=len):
    return type(x) == Variable, Variable2 == type(x), isinstance(x, Variable), nn.Linear == Variable
