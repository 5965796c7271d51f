import torch.distributed
import torchcompat as tc

ref = tc.distributed.all_gather_into_tensor
