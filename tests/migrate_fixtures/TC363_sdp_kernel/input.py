import torch

with torch.backends.cuda.sdp_kernel(enable_flash=False, enable_math=True, enable_mem_efficient=False):
    pass
with torch.backends.cuda.sdp_kernel(enable_math=use_math):
    pass
