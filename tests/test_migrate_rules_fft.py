"""fft rules (TC501, TC510): the rewrites match the legacy layout."""

from __future__ import annotations

import sys

import pytest

from tests.migrate_helpers import codes_of, migrate_text, run_text

pytestmark = pytest.mark.skipif(sys.version_info < (3, 8), reason="the migration tool needs Python >= 3.8")


@pytest.mark.torch_version(">=1.8")  # the rewrite's APIs (torch.fft with fft2/rfft2, view_as_real)
def test_fft_rewrite_matches_the_legacy_adapter_on_this_torch():
    """The plain 2.13 rewrite and tc.fft.*_legacy (the adapter) agree, including irfft's odd default size."""
    torch = pytest.importorskip("torch")
    import torchcompat as tc

    x = torch.randn(3, 8, dtype=torch.float64)
    X = torch.view_as_real(torch.fft.rfft(x))
    assert torch.allclose(X, tc.fft.rfft_legacy(x, 1))
    y = torch.fft.irfftn(torch.view_as_complex(X.contiguous()), s=(2 * X.size(-2) - 1,), dim=(-1,))
    assert torch.allclose(y, tc.fft.irfft_legacy(X, 1))
    Z = torch.view_as_real(torch.fft.fft2(x, norm="ortho"))
    assert torch.allclose(Z, tc.fft.rfft_legacy(x, 2, normalized=True, onesided=False))


@pytest.mark.torch_version(">=1.7")  # the rewrite's APIs (torch.fft, return_complex, set_to_none)
def test_stft_keeps_the_real_layout():
    import torch

    old = "import torch\ntorch.manual_seed(0)\nwave = torch.randn(800)\nspec = torch.stft(wave, 64, hop_length=16, window=torch.hann_window(64))\n"
    text = migrate_text(old).text
    new = run_text(text)
    ref = torch.stft(new["wave"], 64, hop_length=16, window=torch.hann_window(64), return_complex=True)
    assert new["spec"].shape == ref.shape + (2,)
    assert torch.equal(new["spec"], torch.view_as_real(ref))
    assert "TC510" not in codes_of(text)
