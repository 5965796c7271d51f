import torch.utils._pytree

ref = torch.utils._pytree._register_pytree_node
