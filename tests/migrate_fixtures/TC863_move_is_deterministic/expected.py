import torch

ref = torch.are_deterministic_algorithms_enabled
