import torch
from torch.autograd import Function


class MyReLU(Function):
    """max(x, 0)."""

    def forward(self, input):
        self.save_for_backward(input)
        return input.clamp(min=0)

    def backward(self, grad_output):
        input, = self.saved_tensors
        grad = grad_output.clone()
        grad[input < 0] = 0
        return grad


class Scale(torch.autograd.Function):
    def __init__(self, factor, shift=0.0):
        super(Scale, self).__init__()
        self.factor = factor
        self.shift = shift

    def forward(self, a, b):
        return a * self.factor + b + self.shift

    def backward(self, grad):
        return grad * self.factor, grad


class Kept(Function):
    def forward(self, x):
        return x

    def backward(self, g):
        return g


kept = Kept()
x = torch.randn(3, requires_grad=True)
y = MyReLU()(x) + Scale(2.0)(x, x) + Scale(3.0, shift=1.0)(x, x) + kept(x)
