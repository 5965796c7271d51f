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


class Square(Function):
    # 0.3 names: saved_variables, needs_input_grad; in-place: mark_dirty
    def forward(self, x):
        self.save_for_backward(x)
        self.mark_dirty(x)
        self.note = "squared"
        return x.mul_(x)

    def backward(self, g):
        x, = self.saved_variables
        if not self.needs_input_grad[0]:
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


kept = Kept()
x = torch.randn(3, requires_grad=True)
y = MyReLU()(x) + Scale(2.0)(x, x) + Scale(3.0, shift=1.0)(x, x) + kept(x)
z = kept(y) * 2


class Net(torch.nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.square = Square()

    def forward(self, x):
        return self.square(x.clone())


def run(fn, x):
    return fn(x)


out = Net()(x) + Helper()(x) + run(Passed(), x)
