import torch

with torch.nn.attention.sdpa_kernel([torch.nn.attention.SDPBackend.MATH, torch.nn.attention.SDPBackend.CUDNN_ATTENTION]):
    pass
with torch.backends.cuda.sdp_kernel(enable_math=use_math):
    pass
