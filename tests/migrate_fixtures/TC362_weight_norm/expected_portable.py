import torch.nn as nn
import torchcompat as tc
from torch.nn.utils import weight_norm

conv = tc.nn.utils.weight_norm(nn.Conv1d(2, 4, 3))
lin = tc.nn.utils.weight_norm(nn.Linear(2, 3), name="weight")
