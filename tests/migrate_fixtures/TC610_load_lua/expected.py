import torch
from torch.utils.serialization import load_lua

m = load_lua("model.t7")
n = torch.utils.serialization.load_lua("other.t7")
from torch.utils.serialization import config
