import torch

x = torch.zeros(3)
ptr = x.storage().data_ptr()
size = x.storage().nbytes()
s = x.storage()
u = x.untyped_storage()
