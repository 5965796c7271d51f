import torch
from torch import autograd

loss.backward(retain_variables=True)
loss.backward(gradient, retain_variables=False)
autograd.backward([loss], retain_variables=True)
other.call(retain_variables=True)
