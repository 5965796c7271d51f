import torch

scaler = torch.amp.GradScaler('cuda', enabled=False)
scaler2 = torch.amp.GradScaler('cuda', 2.0**10)
