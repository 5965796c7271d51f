import torch.distributed as dist

dist.init_process_group("tcp", init_method="tcp://10.0.0.1:23456", rank=0, world_size=2)
dist.init_process_group(backend="nccl")
