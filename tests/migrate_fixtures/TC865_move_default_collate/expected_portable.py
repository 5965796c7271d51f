import torch.utils.data._utils.collate
import torchcompat as tc

ref = tc.utils.data.default_collate
