import torch
import torchcompat as tc

scaler = tc.GradScaler('cuda', enabled=False)
scaler2 = tc.GradScaler('cuda', 2.0**10)
