from torch.optim import lr_scheduler

sched = lr_scheduler.ReduceLROnPlateau(opt, mode="min", verbose=True)
