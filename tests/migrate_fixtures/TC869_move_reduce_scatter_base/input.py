import torch.distributed

ref = torch.distributed._reduce_scatter_base
