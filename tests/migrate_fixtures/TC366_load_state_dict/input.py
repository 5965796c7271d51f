# torchcompat: source-version 0.4 (the era the code was written for: see migrate/README.md)
import torch
import torch.nn as nn

model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4))
model.load_state_dict(torch.load("old_bn.pth"))
model.load_state_dict(torch.load("old_bn.pth", map_location="cpu"), strict=False)
model.load_state_dict(model.state_dict())
