import torch.library
import torchcompat as tc

ref = tc.library.register_fake
