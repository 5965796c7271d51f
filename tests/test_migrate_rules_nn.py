"""nn rules (TC36x): explicit defaults and the new spellings build the same modules."""

from __future__ import annotations

import sys

import pytest

from tests.migrate_helpers import migrate_text, run_text, same_values

pytestmark = pytest.mark.skipif(sys.version_info < (3, 8), reason="the migration tool needs Python >= 3.8")


def test_grid_sample_explicit_default_is_the_same():

    old = (
        "import torch\nimport torch.nn.functional as F\ntorch.manual_seed(0)\n"
        "theta = torch.randn(1, 2, 3)\nx = torch.randn(1, 1, 4, 4)\n"
        "g = F.affine_grid(theta, (1, 1, 4, 4))\ny = F.grid_sample(x, g)\n"
    )
    same_values(old, "TC360", ["g", "y"])


def test_weight_norm_same_weights():
    import torch

    if not hasattr(torch.nn.utils, "parametrizations") or not hasattr(torch.nn.utils.parametrizations, "weight_norm"):
        pytest.skip("needs torch >= 2.1")
    old = "import torch\nimport torch.nn as nn\ntorch.manual_seed(0)\nm = nn.utils.weight_norm(nn.Linear(3, 2))\nw = m.weight.detach().clone()\n"
    same_values(old, "TC362", ["w"])


def test_sdpa_kernel_builds():
    import torch

    if not hasattr(torch.backends.cuda, "sdp_kernel") or not hasattr(torch.nn, "attention"):
        pytest.skip("needs torch >= 2.3")

    old = (
        "import torch\nwith torch.backends.cuda.sdp_kernel(enable_flash=False, enable_mem_efficient=False):\n    pass\n"
    )
    text = migrate_text(old).text
    assert "sdpa_kernel([" in text and "MATH" in text and "FLASH" not in text
    run_text(text)
