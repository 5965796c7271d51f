import torch


def train(model, opt, loader, loss_fn):
    for x, y in loader:
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        for p in model.parameters():
            if p.grad is not None:
                p.grad.data.clamp_(-1, 1)
        opt.step()
