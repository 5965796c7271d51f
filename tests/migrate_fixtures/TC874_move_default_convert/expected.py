import torch
from torch.utils.data import default_convert

values = default_convert(values)
again = torch.utils.data.default_convert(values)  # `import torch` comes later: one is added above

import torch
