import torch.cuda
import torchcompat as tc

ref = tc.cuda.max_memory_reserved
