import torch
from torch import cuda

if x.type() == 'torch.cuda.FloatTensor':
    pass
if x.type() != 'torch.cuda.LongTensor':
    pass
same = x.type() == 'torch.FloatTensor'
ok = type(x) == int
