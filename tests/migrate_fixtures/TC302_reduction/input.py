import torch.nn as nn
import torch.nn.functional as F

a = nn.CrossEntropyLoss(size_average=False)
b = F.mse_loss(x, y, reduce=False)
c = nn.NLLLoss(weight=w, size_average=True, reduce=True)
d = F.l1_loss(x, y, reduce=False, size_average=False)
e = nn.MSELoss(size_average=flag)
f = nn.BCELoss(
    weight=w,
    size_average=False,  # sum over the batch
)
g = other.Loss(size_average=False)
