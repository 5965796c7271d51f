import torch
import torchcompat as tc

with tc.autocast('cpu', dtype=torch.bfloat16):
    pass
