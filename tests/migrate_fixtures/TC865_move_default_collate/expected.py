import torch.utils.data._utils.collate

ref = torch.utils.data.default_collate
