import torch.optim.lr_scheduler
import torchcompat as tc

ref = tc.optim.lr_scheduler.LRScheduler
