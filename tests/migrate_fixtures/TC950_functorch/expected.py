import functorch
import torch
from torch.func import grad, vmap

f = vmap(torch.sin)
g = torch.func.jacrev(torch.sin)
