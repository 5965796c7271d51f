# torchcompat: source-version 1.2 (the era the code was written for: see migrate/README.md)
import torch.nn.functional as F
from torch.nn.functional import affine_grid

grid = affine_grid(theta, size)
out = F.grid_sample(x, grid, mode="nearest")
kept = F.grid_sample(x, grid, align_corners=True)
