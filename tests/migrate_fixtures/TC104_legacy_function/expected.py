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
    @staticmethod
    def forward(ctx, x):
        return x

    @staticmethod
    def backward(ctx, g):
        return g


class Square(Function):
    # 0.3 names: saved_variables, needs_input_grad; in-place: mark_dirty
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        ctx.mark_dirty(x)
        ctx.note = "squared"
        return x.mul_(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        if not ctx.needs_input_grad[0]:
            return None
        return 2 * x * g


class Helper(Function):
    # reported: forward calls another method on self
    def forward(self, x):
        return self.twice(x)

    def backward(self, g):
        return 2 * g

    def twice(self, x):
        return x * 2


class Passed(Function):
    # reported: an instance is handed to other code
    def forward(self, x):
        return x

    def backward(self, g):
        return g


x = torch.randn(3, requires_grad=True)
y = MyReLU.apply(x) + Scale.apply(x, x, 2.0, 0.0) + Scale.apply(x, x, 3.0, 1.0) + Kept.apply(x)
z = Kept.apply(y) * 2


class Net(torch.nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.square = Square.apply

    def forward(self, x):
        return self.square(x.clone())


def run(fn, x):
    return fn(x)


out = Net()(x) + Helper()(x) + run(Passed(), x)
