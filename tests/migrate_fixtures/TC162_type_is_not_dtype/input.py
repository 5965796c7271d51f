# torchcompat: source-version 0.3 (the era the code was written for: see migrate/README.md)
import torch
from torch import cuda

if type(x) == torch.cuda.FloatTensor:
    pass
if type(x) is not cuda.LongTensor:
    pass
same = torch.FloatTensor == type(x)
ok = type(x) == int
