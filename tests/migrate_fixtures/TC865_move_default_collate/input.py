import torch.utils.data._utils.collate

ref = torch.utils.data._utils.collate.default_collate
