import torch.utils.data.dataloader
import torchcompat as tc

ref = tc.utils.data.default_collate
