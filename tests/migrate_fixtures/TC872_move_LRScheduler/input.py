import torch.optim.lr_scheduler

ref = torch.optim.lr_scheduler._LRScheduler
