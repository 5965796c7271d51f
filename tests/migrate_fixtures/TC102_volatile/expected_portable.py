import torch
import torchcompat as tc
from torch.autograd import Variable


def evaluate(model, loader):
    correct = 0
    for data, target in loader:
        with tc.no_grad():
            data, target = data, target
            output = model(data)
            """a string that
spans lines"""
            correct += output.max(1)[1].eq(target).sum()
    return correct


def predict(model, x):
    with tc.no_grad():
        out = model(x)  # comment kept
        return out


def train_and_eval(model, x, opt):
    v = Variable(x, volatile=True)
    loss = model(v).sum()
    loss.backward()
    opt.step()


def dynamic(model, x, flag):
    return model(Variable(x, volatile=flag))


def off(x):
    return x
