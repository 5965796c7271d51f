"""--target-version gating: below the release a fix needs (derived from its records), a finding is reported
without a fix."""

from __future__ import annotations

import sys

import pytest

from tests.migrate_helpers import fix_text, migrate_text

pytestmark = pytest.mark.skipif(sys.version_info < (3, 8), reason="the migration tool needs Python >= 3.8")


@pytest.mark.parametrize(
    "source, target, fixed",
    [
        ("import torch\nX, _ = torch.gels(b, A)\n", "1.8", False),  # linalg.lstsq is 1.9
        ("import torch\nX, _ = torch.gels(b, A)\n", "1.9", True),
        ("import torch\nx, _ = torch.gesv(B, A)\n", "1.7", False),
        ("import torch\nx = torch.btrisolve(b, lu, piv)\n", "1.12", False),  # linalg.lu_solve is 1.13
        ("import torch\nx = torch.rfft(s, 1)\n", "1.7", False),  # on 1.7 torch.fft.* needs `import torch.fft`
        ("import torch\nx = torch.rfft(s, 1)\n", "1.8", True),
        ("import torch\nm = x.masked_fill(torch.eye(3).byte(), 0)\n", "1.1", False),
        ("import torch\ny = torch.load(p)\n", "1.12", False),  # weights_only is 1.13
        ("import torch\ns = torch.cuda.amp.GradScaler()\n", "2.2", False),
        ("import torch\ng = torch.meshgrid(a, b)\n", "1.9", False),
    ],
)
def test_target_version_never_emits_a_newer_api(source, target, fixed):
    result = fix_text(source, target=target)
    assert result.findings, "the finding is reported whatever the target"
    assert result.changed is fixed


def test_cholesky_upper_uses_mH_only_from_1_11():
    src = "import torch\nU = torch.potrf(A)\n"
    assert ".mH" in fix_text(src, target="1.11").text
    old = fix_text(src, target="1.8").text
    assert ".mH" not in old and ".transpose(-2, -1)" in old


def test_versions_below_min_report_without_fixing():
    old = "import torch\nspec = torch.stft(w, 64)\n"
    result = migrate_text(old, target="1.6")
    assert "TC510" in {f.code for f in result.findings} and not result.changed
