import torch.nn as nn
from torch.nn.utils import weight_norm

conv = nn.utils.parametrizations.weight_norm(nn.Conv1d(2, 4, 3))
lin = nn.utils.parametrizations.weight_norm(nn.Linear(2, 3), name="weight")
