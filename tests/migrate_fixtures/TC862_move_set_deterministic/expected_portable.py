import torch

ref = torch.set_deterministic
