import torch

ref = torch.is_deterministic
