# torchcompat: source-version 1.7 (the era the code was written for: see migrate/README.md)
import torch.nn as nn
import torchcompat as tc

model = nn.Linear(2, 2)
handle = tc.register_full_backward_hook(model, lambda m, gi, go: None)
