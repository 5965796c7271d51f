# torchcompat: source-version 0.3 (the era the code was written for: see migrate/README.md)
import torch

for i in torch.arange(10):
    print(items[i])
idx = [j for j in torch.randperm(5)]
for k in torch.arange(10).tolist():
    pass
for k in range(3):
    pass
