import torch
from torch import autograd

loss.backward(retain_graph=True)
loss.backward(gradient, retain_graph=False)
autograd.backward([loss], retain_graph=True)
other.call(retain_variables=True)
