# torchcompat: source-version 0.2 (the era the code was written for: see migrate/README.md)
import torch
import torch.nn.functional as F
from torch.nn.functional import log_softmax

a = F.softmax(x.view(-1, 10))
b = log_softmax(x.view(2, 3, 4))
c = F.softmax(torch.randn(5))
d = F.softmax(x)
e = F.softmax(x, 1)
f = F.softmax(x, dim=-1)
g = torch.nn.Softmax()
h = torch.nn.Softmax(dim=1)
i = F.softmin(x.reshape(4, 5, 6, 7))
