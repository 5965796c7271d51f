"""Modern code gives no findings."""

from __future__ import annotations

import sys

import pytest

from tests.migrate_helpers import RULE_RECORDS, codes_of

pytestmark = pytest.mark.skipif(sys.version_info < (3, 8), reason="the migration tool needs Python >= 3.8")


MODERN = """
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader
from torchvision import models

x = torch.randn(2, 3)
y = x.T
z = x.mT
w = torch.full((2,), 1.0)
opt.zero_grad()
loss.backward()
a = x.detach().numpy()
p = torch.zeros(3)
p.add_(x[0], alpha=0.1)
p.addcmul_(x[0], x[0], value=0.5)
u = x.untyped_storage()
m = x.gt(0)
inv = ~m
g = F.grid_sample(x, grid, align_corners=False)
i = F.interpolate(x, scale_factor=1.5)
n = nn.utils.parametrizations.weight_norm(nn.Linear(2, 2))
spec = torch.stft(wave, 64, return_complex=True)
torch.backends.cuda.matmul.fp32_precision = "tf32"
dl = DataLoader(ds, num_workers=2, prefetch_factor=4)
f = torch.vmap(torch.dot)
torch.onnx.export(model, (x,), dynamo=True)
r = models.resnet50(weights="DEFAULT")
for k in range(3):
    pass
"""


def test_modern_code_gives_no_findings():
    import torchcompat.migrate.rules  # noqa: F401

    codes = {c for c in codes_of(MODERN) if c in RULE_RECORDS}
    assert not codes
