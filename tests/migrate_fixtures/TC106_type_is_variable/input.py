import torch.nn as nn
from torch.autograd import Variable


def repackage_hidden(h):
    """Wraps hidden states in new Variables, to detach them from their history."""
    if type(h) == Variable:
        return Variable(h.data)
    else:
        return tuple(repackage_hidden(v) for v in h)


def flags(x, y):
    a = type(x) is Variable
    b = Variable != type(y)
    c = x is not None and type(x) is not Variable
    d = [type(v) == Variable for v in (x, y)]
    return a, b, c, d


# left alone: not the builtin type, not torch's Variable, not a type() comparison
def kept(x, Variable2, type=len):
    return type(x) == Variable, Variable2 == type(x), isinstance(x, Variable), nn.Linear == Variable
