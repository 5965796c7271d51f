import torch.nn as nn
import torch.nn.functional as F

a = nn.CrossEntropyLoss(reduction='sum')
b = F.mse_loss(x, y, reduction='none')
c = nn.NLLLoss(weight=w, reduction='mean')
d = F.l1_loss(x, y, reduction='none')
e = nn.MSELoss(size_average=flag)
f = nn.BCELoss(
    weight=w,
    reduction='sum',  # sum over the batch
)
g = other.Loss(size_average=False)
