import torch

scaler = torch.cuda.amp.GradScaler(enabled=False)
scaler2 = torch.cuda.amp.GradScaler(2.0**10)
