import torch

ref = torch.use_deterministic_algorithms
