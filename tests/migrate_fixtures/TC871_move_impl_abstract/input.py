import torch.library

ref = torch.library.impl_abstract
