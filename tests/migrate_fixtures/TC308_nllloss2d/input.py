from torch import nn
from torch.nn import NLLLoss2d

a = nn.NLLLoss2d()
b = NLLLoss2d(weight=w)
c = nn.NLLLoss()
