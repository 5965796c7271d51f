"""FFT shifts: the pre-1.7 torch.fft/rfft functions and the torch.fft module.

Records generated from the shift catalogue; adapters, probes and notes are added beside them."""

from __future__ import annotations

from torchcompat.registry import declare

shift = declare("fft")

FFT_LEGACY_FUNCTIONS = shift(
    "fft-legacy-functions",
    "torch.rfft(x, 2, onesided=False, normalized=), torch.irfft,  -> torch.fft.rfft2/fftn/... (complex) + torch.view_as_real/view",
    old="`torch.rfft(x, 2, onesided=False, normalized=)`, `torch.irfft`, `torch.fft(x, signal_ndim)`, `torch.ifft` (real tensors with a trailing dim of 2)",
    new="`torch.fft.rfft2/fftn/...` (complex) + `torch.view_as_real`/`view_as_complex`",
    added="1.7",
    deprecated="1.7",
    removed="1.8",
    strategy="legacy-restore",
    notes="added: 1.7 (`torch.fft` module); deprecated: 1.7; removed: 1.8 (AttributeError: module 'torch' has no attribute 'rfft'). Silent change: mappings: `normalized=True` → `norm='ortho'`; `onesided` → rfft vs fft; `irfft(signal_sizes=)` → `s=`. How common: H (10/12)",
)

FFT_MODULE_SHADOW = shift(
    "fft-module-shadow",
    "on 1.7, torch.fft.fft(...) without import torch.fft -> add import torch.fft",
    old="on 1.7, `torch.fft.fft(...)` without `import torch.fft`",
    new="add `import torch.fft`",
    added="1.7",
    strategy="backport",
    notes="added: 1.7; deprecated: —; removed: —. Silent change: `torch.fft` is still the old function on 1.7 → \"'builtin_function_or_method' object has no attribute 'fft'\". How common: L (2)",
)

FFT_STFT_RETURN_COMPLEX = shift(
    "fft-stft-return-complex",
    "torch.stft(x, n_fft) returning real (..., 2) -> torch.stft(..., return_complex=True) + torch.view_as_real to",
    old="`torch.stft(x, n_fft)` returning real (..., 2)",
    new="`torch.stft(..., return_complex=True)` + `torch.view_as_real` to keep the layout; `istft` takes complex input",
    added="1.7",
    deprecated="1.8",
    removed="2.0",
    link="https://github.com/pytorch/pytorch/pull/86724",
    strategy="codemod",
    verified=False,
    notes="added: 1.7 ? (`return_complex`); deprecated: 1.8 (warning); removed: 2.0: required for real input (PR #86724); `return_complex=False` itself deprecated. How common: M (8)",
)
