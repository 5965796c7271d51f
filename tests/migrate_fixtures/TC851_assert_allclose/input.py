import torch
from torch.testing import assert_allclose

torch.testing.assert_allclose(torch.ones(2), torch.ones(2))
assert_allclose(torch.ones(2), torch.ones(2) + 1e-9, 1e-5, 1e-6)
