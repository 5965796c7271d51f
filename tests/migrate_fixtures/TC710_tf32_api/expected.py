import torch

torch.backends.cuda.matmul.fp32_precision = 'tf32'
torch.backends.cuda.matmul.fp32_precision = 'ieee'
torch.backends.cudnn.allow_tf32 = True
enabled = torch.backends.cuda.matmul.allow_tf32
