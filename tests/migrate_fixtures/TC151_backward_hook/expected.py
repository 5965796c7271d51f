# torchcompat: source-version 1.7 (the era the code was written for: see migrate/README.md)
import torch.nn as nn

model = nn.Linear(2, 2)
handle = model.register_full_backward_hook(lambda m, gi, go: None)
