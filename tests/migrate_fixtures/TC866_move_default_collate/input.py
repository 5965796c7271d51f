import torch.utils.data.dataloader

ref = torch.utils.data.dataloader.default_collate
