import torch.distributed

ref = torch.distributed.reduce_scatter_tensor
