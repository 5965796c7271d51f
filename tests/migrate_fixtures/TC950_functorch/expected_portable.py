import functorch
import torch
from functorch import grad, vmap

f = vmap(torch.sin)
g = functorch.jacrev(torch.sin)
