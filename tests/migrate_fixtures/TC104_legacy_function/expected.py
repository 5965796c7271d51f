import torch
from torch.autograd import Function


class MyReLU(Function):
    """max(x, 0)."""

    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        grad = grad_output.clone()
        grad[input < 0] = 0
        return grad


class Scale(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b, factor, shift):
        ctx.factor = factor
        ctx.shift = shift
        return a * ctx.factor + b + ctx.shift

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.factor, grad, None, None


class Kept(Function):
    def forward(self, x):
        return x

    def backward(self, g):
        return g


kept = Kept()
x = torch.randn(3, requires_grad=True)
y = MyReLU.apply(x) + Scale.apply(x, x, 2.0, 0.0) + Scale.apply(x, x, 3.0, 1.0) + kept(x)
