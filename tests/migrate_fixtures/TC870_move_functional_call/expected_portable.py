import torch.nn.utils.stateless
import torchcompat as tc

ref = tc.func.functional_call
