import torch.utils.data.dataloader

ref = torch.utils.data.default_collate
