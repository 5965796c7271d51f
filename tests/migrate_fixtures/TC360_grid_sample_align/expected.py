# torchcompat: source-version 1.2 (the era the code was written for: see migrate/README.md)
import torch.nn.functional as F
from torch.nn.functional import affine_grid

grid = affine_grid(theta, size, align_corners=False)
out = F.grid_sample(x, grid, mode="nearest", align_corners=False)
kept = F.grid_sample(x, grid, align_corners=True)
