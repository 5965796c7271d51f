import torch
from torch.testing import assert_allclose

torch.testing.assert_close(torch.ones(2), torch.ones(2), check_dtype=False, equal_nan=True)
torch.testing.assert_close(torch.ones(2), torch.ones(2) + 1e-9, rtol=1e-5, atol=1e-6, check_dtype=False, equal_nan=True)
