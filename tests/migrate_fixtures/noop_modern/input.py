# -*- coding: utf-8 -*-
"""Modern code: nothing to change."""
import torch
import torch.nn as nn
import torch.nn.functional as F

model = nn.Linear(3, 2)
crit = nn.CrossEntropyLoss(reduction="sum")
with torch.no_grad():
    out = F.softmax(model(torch.randn(4, 3)), dim=1)
nn.init.xavier_uniform_(model.weight)
loss = crit(out, torch.zeros(4, dtype=torch.long))
print(loss.item(), torch.sigmoid(out).shape)
data = {"data": [0]}
print(data["data"][0])
