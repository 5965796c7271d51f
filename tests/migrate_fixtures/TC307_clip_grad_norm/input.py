import torch
from torch.nn.utils import clip_grad_norm

torch.nn.utils.clip_grad_norm(model.parameters(), 5.0)
clip_grad_norm(model.parameters(), 1.0)
