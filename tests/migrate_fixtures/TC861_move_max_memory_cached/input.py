import torch.cuda

ref = torch.cuda.max_memory_cached
