from torch.utils.data._utils.collate import default_convert

values = default_convert(values)
again = torch.utils.data._utils.collate.default_convert(values)  # `import torch` comes later: one is added above

import torch
