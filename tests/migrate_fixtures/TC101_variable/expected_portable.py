import torch
import torchcompat as tc
from torch.autograd import Variable as V
import torch.autograd as ag

x = torch.randn(3, 4)
y = x.sum(1) + 1
w = tc.variable(torch.Tensor(3, 4).normal_(0, 0.1), requires_grad=True)
b = tc.variable(x, requires_grad=True)
flag = tc.variable(x, requires_grad=x.is_floating_point())
total = (x + 1).sum()
n = 3
half = tc.variable(torch.ones(n) * 0.5, requires_grad=True)  # a BinOp argument: parenthesised before .detach()
neg = tc.variable(-x, requires_grad=True)
pick = tc.variable(x if n else x + 1, requires_grad=True)
scalar = tc.variable(0.5, requires_grad=True)


def step(batch):
    return batch * 2


class Model:
    def Variable(self, t):  # not torch's: a method of the same name
        return t


m = Model()
z = m.Variable(x)
