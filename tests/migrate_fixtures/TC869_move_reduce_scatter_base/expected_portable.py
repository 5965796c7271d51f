import torch.distributed
import torchcompat as tc

ref = tc.distributed.reduce_scatter_tensor
