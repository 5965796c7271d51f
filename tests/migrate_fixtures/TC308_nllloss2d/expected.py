from torch import nn
from torch.nn import NLLLoss as NLLLoss2d

a = nn.NLLLoss()
b = NLLLoss2d(weight=w)
c = nn.NLLLoss()
