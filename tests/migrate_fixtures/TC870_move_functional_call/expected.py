import torch.nn.utils.stateless

ref = torch.func.functional_call
