# torchcompat: source-version 1.13 (the era the code was written for: see migrate/README.md)
import torch


def train(model, opt, loader, loss_fn):
    for x, y in loader:
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        for p in model.parameters():
            p.grad.data.clamp_(-1, 1)
        opt.step()
