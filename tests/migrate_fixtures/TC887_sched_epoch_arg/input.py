import torch
from torch.optim.lr_scheduler import ReduceLROnPlateau, StepLR

sched = StepLR(opt, step_size=10)
plateau = ReduceLROnPlateau(opt)
for epoch in range(10):
    sched.step(epoch)
    plateau.step(val_loss)
    print(sched.get_lr())
