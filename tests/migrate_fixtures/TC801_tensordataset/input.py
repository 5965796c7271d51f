import torch.utils.data as data
from torch.utils.data import TensorDataset

a = TensorDataset(data_tensor=x, target_tensor=y)
b = data.TensorDataset(target_tensor=y[:10], data_tensor=x[:10])
c = TensorDataset(x, y)
