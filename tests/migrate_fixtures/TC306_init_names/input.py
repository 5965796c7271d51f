import torch.nn as nn
from torch.nn import init
from torch.nn.init import xavier_uniform, kaiming_normal as kn, calculate_gain

nn.init.xavier_uniform(w)
init.constant(b, 0.0)
init.normal(w, 0, 0.02)
xavier_uniform(w, gain=calculate_gain('relu'))
kn(w)
fn = nn.init.orthogonal
nn.init.uniform_(w)
