import torch
from torch.autograd import Variable as V
import torch.autograd as ag

x = V(torch.randn(3, 4))
y = V(x.sum(1) + 1)
w = V(torch.Tensor(3, 4).normal_(0, 0.1), requires_grad=True)
b = ag.Variable(x, requires_grad=True)
flag = V(x, requires_grad=x.is_floating_point())
total = V(x + 1).sum()
n = 3
half = V(torch.ones(n) * 0.5, requires_grad=True)  # a BinOp argument: parenthesised before .detach()
neg = V(-x, requires_grad=True)
pick = V(x if n else x + 1, requires_grad=True)
scalar = V(0.5, requires_grad=True)


def step(batch):
    batch = V(batch)
    return batch * 2


class Model:
    def Variable(self, t):  # not torch's: a method of the same name
        return t


m = Model()
z = m.Variable(x)
