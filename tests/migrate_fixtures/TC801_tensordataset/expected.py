import torch.utils.data as data
from torch.utils.data import TensorDataset

a = TensorDataset(x, y)
b = data.TensorDataset(x[:10], y[:10])
c = TensorDataset(x, y)
