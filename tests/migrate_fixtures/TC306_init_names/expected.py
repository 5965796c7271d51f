import torch.nn as nn
from torch.nn import init
from torch.nn.init import xavier_uniform_ as xavier_uniform, kaiming_normal_ as kn, calculate_gain

nn.init.xavier_uniform_(w)
init.constant_(b, 0.0)
init.normal_(w, 0, 0.02)
xavier_uniform(w, gain=calculate_gain('relu'))
kn(w)
fn = nn.init.orthogonal_
nn.init.uniform_(w)
