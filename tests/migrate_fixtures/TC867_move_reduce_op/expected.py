import torch.distributed

ref = torch.distributed.ReduceOp
