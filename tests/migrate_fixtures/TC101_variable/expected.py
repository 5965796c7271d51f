import torch
from torch.autograd import Variable as V
import torch.autograd as ag

x = torch.randn(3, 4)
y = x.sum(1) + 1
w = torch.Tensor(3, 4).normal_(0, 0.1).requires_grad_()
b = x.detach().requires_grad_()
flag = x.detach().requires_grad_(x.is_floating_point())
total = (x + 1).sum()
n = 3
half = (torch.ones(n) * 0.5).detach().requires_grad_()  # a BinOp argument: parenthesised before .detach()
neg = (-x).detach().requires_grad_()
pick = (x if n else x + 1).detach().requires_grad_()
scalar = (0.5).detach().requires_grad_()


def step(batch):
    return batch * 2


class Model:
    def Variable(self, t):  # not torch's: a method of the same name
        return t


m = Model()
z = m.Variable(x)
