# torchcompat: source-version 0.3 (the era the code was written for: see migrate/README.md)
import torch
from torch import cuda

if x.type() == 'torch.cuda.FloatTensor':
    pass
if x.type() != 'torch.cuda.LongTensor':
    pass
same = x.type() == 'torch.FloatTensor'
ok = type(x) == int
