# torchcompat: source-version 1.13 (the era the code was written for: see migrate/README.md)
import torch
import torchcompat as tc


def train(model, opt, loader, loss_fn):
    for x, y in loader:
        tc.zero_grad(opt, set_to_none=False)
        loss_fn(model(x), y).backward()
        for p in model.parameters():
            p.grad.data.clamp_(-1, 1)
        opt.step()
