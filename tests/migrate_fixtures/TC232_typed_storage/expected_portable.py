# torchcompat: source-version 1.13 (the era the code was written for: see migrate/README.md)
import torch

x = torch.zeros(3)
ptr = x.storage().data_ptr()
size = x.storage().nbytes()
s = x.storage()
u = x.untyped_storage()
