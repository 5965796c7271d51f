# torchcompat: source-version 0.3 (the era the code was written for: see migrate/README.md)
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.add_module("block.0", nn.Linear(2, 2))
        self.register_buffer("running_mean", None)
