"""FFT shifts: the pre-1.7 torch.fft/rfft functions and the torch.fft module.

Records generated from the shift catalogue; adapters, probes and notes are added beside them."""

from __future__ import annotations

from typing import Any, Optional, Sequence, Tuple, Union

from torchcompat.probe import MISSING
from torchcompat.registry import Resolution, backport, declare, native, unavailable

shift = declare("fft")

Tensor = Any  # a torch.Tensor (shift modules never import torch at module level)

FFT_LEGACY_FUNCTIONS = shift(
    "fft-legacy-functions",
    "torch.rfft/irfft/fft/ifft(x, signal_ndim) → torch.fft.* + view_as_real",
    old="`torch.rfft(x, 2, onesided=False, normalized=)`, `torch.irfft`, `torch.fft(x, signal_ndim)`, `torch.ifft` (real tensors with a trailing dim of 2)",
    new="`torch.fft.rfft2/fftn/...` (complex) + `torch.view_as_real`/`view_as_complex`",
    added="1.8",  # on 1.7 torch.fft.* needs `import torch.fft` (fft-module-shadow)
    deprecated="1.7",
    removed="1.8",
    strategy="legacy-restore",
    notes="The `torch.fft` module arrives in 1.7 behind `import torch.fft`; removed: AttributeError: module 'torch' has no attribute 'rfft'). Silent change: mappings: `normalized=True` → `norm='ortho'`; `onesided` → rfft vs fft; `irfft(signal_sizes=)` → `s=`. How common: H (10/12)",
    kind="spelling",
)

FFT_MODULE_SHADOW = shift(
    "fft-module-shadow",
    "torch.fft.fft(...) on 1.7 needs import torch.fft",
    old="on 1.7, `torch.fft.fft(...)` without `import torch.fft`",
    new="add `import torch.fft`",
    added="1.7",
    strategy="backport",
    notes="Silent change: `torch.fft` is still the old function on 1.7 → \"'builtin_function_or_method' object has no attribute 'fft'\". How common: L (2)",
    kind="spelling",
)

FFT_STFT_RETURN_COMPLEX = shift(
    "fft-stft-return-complex",
    "torch.stft(x, n_fft) → torch.stft(..., return_complex=True)",
    old="`torch.stft(x, n_fft)` returning real (..., 2)",
    new="`torch.stft(..., return_complex=True)` + `torch.view_as_real` to keep the layout; `istft` takes complex input",
    added="1.7",
    deprecated="1.8",
    removed="2.0",
    link="https://github.com/pytorch/pytorch/pull/86724",
    strategy="codemod",
    verified=False,
    notes="added: 1.7 ? (`return_complex`); deprecated: 1.8 (warning); removed: 2.0: required for real input (PR #86724); `return_complex=False` itself deprecated. How common: M (8)",
    kind="meaning",
)


def _fft_module_exists(env: Any) -> bool:
    """Is there a torch.fft *module* (1.7+)? Answered without importing it: on 1.7 the import would replace the
    legacy ``torch.fft`` function of a script that still calls it."""
    found = getattr(env.torch, "fft", None)
    if isinstance(found, type(env.torch)):
        return True
    if env.emulated or not hasattr(env.torch, "__path__"):
        return False
    import importlib.util

    try:
        return importlib.util.find_spec(env.torch.__name__ + ".fft") is not None
    except (ImportError, ValueError):
        return False


FFT_LEGACY_FUNCTIONS.link = "https://github.com/pytorch/pytorch/issues/42175"
FFT_LEGACY_FUNCTIONS.probe = _fft_module_exists
FFT_LEGACY_FUNCTIONS.notes += (
    " torchcompat: `tc.fft.rfft_legacy/irfft_legacy/fft_legacy/ifft_legacy` keep the old signatures and the real-pair"
    " layout on every release (torch's own functions below 1.8, torch.fft + view_as_real from 1.8). The old"
    " `irfft` defaults the last signal size to 2*n-1 (odd), not 2*(n-1) as torch.fft.irfft does (pytorch#19111);"
    " the legacy adapters keep that. `tc.fft.<new name>` is torch.fft's function where the module exists (1.7+),"
    " unavailable below (complex tensors); fftfreq/rfftfreq/fftshift/ifftshift are real and backported exactly."
)
FFT_MODULE_SHADOW.link = "https://github.com/pytorch/pytorch/pull/44876"
FFT_MODULE_SHADOW.probe = _fft_module_exists

# ---------------------------------------------------------------------------------------------------------------
# Legacy real-pair functions: torch.fft / ifft / rfft / irfft as they were up to 1.7.
# ---------------------------------------------------------------------------------------------------------------

_LEGACY_NAMES = {"fft": "fft", "ifft": "ifft", "rfft": "rfft", "irfft": "irfft"}


def _legacy_native(env: Any, old: str) -> Any:
    """torch's own legacy function (``torch.rfft`` ...) if present and not shadowed by the module."""
    fn = getattr(env.torch, old, MISSING)
    if fn is MISSING or isinstance(fn, type(env.torch)) or not callable(fn):
        # On 1.7 ``import torch.fft`` replaces the ``torch.fft`` function by the module.
        return MISSING
    if hasattr(fn, "__wrapped__") or str(getattr(fn, "__module__", "")).startswith("torchcompat"):
        # A restore of torchcompat.legacy (functools.wraps of these very adapters): not torch's own.
        return MISSING
    return fn


def _check_legacy(name: str, x: Tensor, signal_ndim: int, complex_input: bool) -> None:
    if signal_ndim not in (1, 2, 3):
        raise RuntimeError("%s expects signal_ndim to be 1, 2, or 3, but got signal_ndim=%d" % (name, signal_ndim))
    extra = 1 if complex_input else 0
    if x.dim() < signal_ndim + extra:
        raise RuntimeError(
            "%s expects a tensor of at least %dD for signal_ndim=%d, but got a %dD tensor"
            % (name, signal_ndim + extra, signal_ndim, x.dim())
        )
    if complex_input and x.size(-1) != 2:
        raise RuntimeError(
            "%s expects a complex input tensor (last dimension of size 2), but got input with size %s"
            % (name, tuple(x.shape))
        )


def _legacy_backports(torch: Any) -> Any:
    """The four legacy functions built from torch.fft + view_as_real/view_as_complex (torch >= 1.7)."""
    import importlib

    tfft = importlib.import_module(torch.__name__ + ".fft")

    floats = (torch.float32, torch.float64, getattr(torch, "float16", None))
    dims = {1: (-1,), 2: (-2, -1), 3: (-3, -2, -1)}

    def _call(one_d: Any, n_d: Any, x: Tensor, signal_ndim: int, normalized: bool) -> Tensor:
        # The old ``normalized=True`` is 1/sqrt(N) both ways; else forward unscaled, inverse 1/N (the
        # default "backward" norm, left implicit). A 1-D transform calls the 1-D function: ~10 % faster
        # than fftn on small signals.
        if signal_ndim == 1:
            return one_d(x, norm="ortho") if normalized else one_d(x)
        return n_d(x, dim=dims[signal_ndim], norm="ortho" if normalized else None)

    def _as_complex(x: Tensor) -> Tensor:
        if x.dtype not in floats:
            x = x.to(torch.get_default_dtype())
        return torch.view_as_complex(x if x.is_contiguous() else x.contiguous())

    view_as_real, view_as_complex = torch.view_as_real, torch.view_as_complex
    fft1, ifft1, rfft1, irfft1 = tfft.fft, tfft.ifft, tfft.rfft, tfft.irfft
    # The common 1-D calls (training loops make them every step) go straight to torch, with no checks of
    # ours: view_as_complex itself refuses what the short path cannot take (no trailing pair, an integer
    # dtype, unsuitable strides) and fft refuses 0-d input. Any such refusal falls through to the full path,
    # which converts what the old functions converted and raises their messages.
    _REFUSED = (RuntimeError, IndexError)

    def fft_legacy(input: Tensor, signal_ndim: int, normalized: bool = False) -> Tensor:
        """``torch.fft(input, signal_ndim, normalized=False)`` of torch <= 1.7: complex-to-complex FFT over the
        last ``signal_ndim`` dims of a real-pair tensor (trailing dim of size 2); ``normalized`` scales by
        1/sqrt(N). Built on torch.fft.fftn + view_as_real (pytorch#42175; deprecated by PR #44876, removed in 1.8).
        Remove when no caller needs the real-pair layout (torch >= 1.8 code uses torch.fft.fftn)."""
        if signal_ndim == 1 and not normalized:
            try:
                return view_as_real(fft1(view_as_complex(input)))
            except _REFUSED:
                pass
        _check_legacy("fft", input, signal_ndim, True)
        return torch.view_as_real(_call(tfft.fft, tfft.fftn, _as_complex(input), signal_ndim, normalized))

    def ifft_legacy(input: Tensor, signal_ndim: int, normalized: bool = False) -> Tensor:
        """``torch.ifft(input, signal_ndim, normalized=False)`` of torch <= 1.7 (real-pair layout; 1/N scaling,
        1/sqrt(N) when ``normalized``). Built on torch.fft.ifftn (pytorch#42175).
        Remove when no caller needs the real-pair layout (torch >= 1.8 code uses torch.fft.ifftn)."""
        if signal_ndim == 1 and not normalized:
            try:
                return view_as_real(ifft1(view_as_complex(input)))
            except _REFUSED:
                pass
        _check_legacy("ifft", input, signal_ndim, True)
        return torch.view_as_real(_call(tfft.ifft, tfft.ifftn, _as_complex(input), signal_ndim, normalized))

    def rfft_legacy(input: Tensor, signal_ndim: int, normalized: bool = False, onesided: bool = True) -> Tensor:
        """``torch.rfft(input, signal_ndim, normalized=False, onesided=True)`` of torch <= 1.7: real-to-complex
        FFT over the last ``signal_ndim`` dims, returned as real pairs (trailing dim 2); ``onesided`` keeps
        n//2+1 bins of the last dim, else the full spectrum. Built on torch.fft.rfftn/fftn + view_as_real
        (pytorch#42175). Remove when no caller needs the real-pair layout (torch >= 1.8 code uses torch.fft)."""
        if signal_ndim == 1 and onesided and not normalized:
            try:
                return view_as_real(rfft1(input))
            except _REFUSED:
                pass
        _check_legacy("rfft", input, signal_ndim, False)
        if onesided:
            return torch.view_as_real(_call(tfft.rfft, tfft.rfftn, input, signal_ndim, normalized))
        return torch.view_as_real(_call(tfft.fft, tfft.fftn, input, signal_ndim, normalized))

    def irfft_legacy(
        input: Tensor,
        signal_ndim: int,
        normalized: bool = False,
        onesided: bool = True,
        signal_sizes: Optional[Sequence[int]] = None,
    ) -> Tensor:
        """``torch.irfft(input, signal_ndim, normalized=False, onesided=True, signal_sizes=None)`` of
        torch <= 1.7: complex (real-pair) to real inverse FFT. Without ``signal_sizes`` the last signal dim
        is 2*n-1 like the old function (not torch.fft.irfft's 2*(n-1), pytorch#19111); with
        ``onesided=False`` the input is the full spectrum and only its first n//2+1 bins are read.
        Built on torch.fft.irfftn (pytorch#42175). Remove when no caller needs the real-pair layout."""
        if signal_ndim == 1 and onesided:
            try:
                spectrum = view_as_complex(input)
                n_in = spectrum.shape[-1]
            except _REFUSED:
                pass
            else:
                n = int(signal_sizes[0]) if signal_sizes else 2 * n_in - 1
                if n // 2 + 1 == n_in and (not signal_sizes or len(signal_sizes) == 1):  # else: the full path's error
                    # positional: torch's argument parser takes keywords ~0.3 us slower
                    return irfft1(spectrum, n, -1, "ortho") if normalized else irfft1(spectrum, n)
        _check_legacy("irfft", input, signal_ndim, True)
        in_sizes = [int(n) for n in input.shape[-signal_ndim - 1 : -1]]
        if signal_sizes is not None and len(signal_sizes) > 0:
            sizes = [int(n) for n in signal_sizes]
            if len(sizes) != signal_ndim:
                raise RuntimeError(
                    "Expected signal_sizes to be empty (default) or of signal_ndim=%dD, but got signal_sizes=%s"
                    % (signal_ndim, sizes)
                )
        elif onesided:
            sizes = in_sizes[:-1] + [2 * in_sizes[-1] - 1]
        else:
            sizes = in_sizes
        if onesided:
            if sizes[-1] // 2 + 1 != in_sizes[-1]:
                raise RuntimeError(
                    "expected real signal size %d is incompatible with onesided complex frequency size %d"
                    % (sizes[-1], in_sizes[-1])
                )
        elif sizes[-1] != in_sizes[-1]:
            raise RuntimeError(
                "expected real signal size %d is incompatible with the full complex frequency size %d"
                % (sizes[-1], in_sizes[-1])
            )
        if sizes[:-1] != in_sizes[:-1]:
            raise RuntimeError("signal_sizes %s do not match the input's signal sizes %s" % (sizes, in_sizes))
        norm = "ortho" if normalized else None
        if signal_ndim == 1:
            return tfft.irfft(_as_complex(input), n=sizes[0], norm=norm)
        return tfft.irfftn(_as_complex(input), s=sizes, dim=dims[signal_ndim], norm=norm)

    return {"fft": fft_legacy, "ifft": ifft_legacy, "rfft": rfft_legacy, "irfft": irfft_legacy}


def _legacy_adapter(old: str) -> None:
    @FFT_LEGACY_FUNCTIONS.adapter("fft.%s_legacy" % old)
    def resolve(env: Any) -> Resolution:
        fn = _legacy_native(env, old)
        if fn is not MISSING:
            return native(fn, "torch.%s" % old)
        if env.has("fft.rfftn") and env.has("view_as_real") and env.has("view_as_complex"):
            return backport(_legacy_backports(env.torch)[old], "torch.fft + view_as_real")
        return unavailable("1.0", "neither torch.%s nor torch.fft.rfftn/view_as_real is present" % old)


for _old in _LEGACY_NAMES:
    _legacy_adapter(_old)


# ---------------------------------------------------------------------------------------------------------------
# torch.fft module functions.
# ---------------------------------------------------------------------------------------------------------------

for _name in ("fft", "ifft", "rfft", "irfft", "fftn", "ifftn", "rfftn", "irfftn"):
    FFT_MODULE_SHADOW.alias("fft." + _name, needs="1.7")


def _factory_result(result: Tensor, out: Optional[Tensor], requires_grad: bool) -> Tensor:
    """The ``out=`` / ``requires_grad=`` handling that torch's factory functions share."""
    if requires_grad:
        result.requires_grad_(True)
    if out is not None:
        out.resize_(result.shape).copy_(result)
        return out
    return result


def _fftfreq(env: Any) -> Any:
    torch = env.torch

    def fftfreq(
        n: int,
        d: float = 1.0,
        *,
        out: Optional[Tensor] = None,
        dtype: Any = None,
        layout: Any = None,
        device: Any = None,
        requires_grad: bool = False,
    ) -> Tensor:
        """torch.fft.fftfreq for torch < 1.8: the sample frequencies [0, 1, ..., -(n//2), ..., -1] / (d*n),
        computed like torch's own kernel (arange, then multiply by 1/(n*d)). Added by PR #44877 (pytorch#42175).
        Remove when torch >= 1.8."""
        result = torch.arange(n, dtype=dtype or torch.get_default_dtype(), device=device)
        right = (n + 1) // 2
        if n - right > 0:
            result[right:] = torch.arange(-(n // 2), 0, dtype=result.dtype, device=device)
        return _factory_result(result.mul_(1.0 / (n * d)), out, requires_grad)

    return fftfreq


def _rfftfreq(env: Any) -> Any:
    torch = env.torch

    def rfftfreq(
        n: int,
        d: float = 1.0,
        *,
        out: Optional[Tensor] = None,
        dtype: Any = None,
        layout: Any = None,
        device: Any = None,
        requires_grad: bool = False,
    ) -> Tensor:
        """torch.fft.rfftfreq for torch < 1.8: [0, 1, ..., n//2] / (d*n), computed like torch's kernel.
        Added by PR #44877 (pytorch#42175). Remove when torch >= 1.8."""
        result = torch.arange(n // 2 + 1, dtype=dtype or torch.get_default_dtype(), device=device)
        return _factory_result(result.mul_(1.0 / (n * d)), out, requires_grad)

    return rfftfreq


def _shift_dims(x: Tensor, dim: Union[None, int, Sequence[int]]) -> Tuple[int, ...]:
    if dim is None:
        return tuple(range(x.dim()))
    if isinstance(dim, int):
        return (dim,)
    return tuple(int(d) for d in dim)


def _fftshift(env: Any) -> Any:
    torch = env.torch

    def fftshift(input: Tensor, dim: Union[None, int, Sequence[int]] = None) -> Tensor:
        """torch.fft.fftshift for torch < 1.8: roll each dim by size//2 (zero frequency to the centre), like
        torch's own implementation. Added by PR #44877 (pytorch#42175). Remove when torch >= 1.8."""
        dims = _shift_dims(input, dim)
        if not dims:
            return input.clone()
        return torch.roll(input, tuple(int(input.size(d)) // 2 for d in dims), dims)

    return fftshift


def _ifftshift(env: Any) -> Any:
    torch = env.torch

    def ifftshift(input: Tensor, dim: Union[None, int, Sequence[int]] = None) -> Tensor:
        """torch.fft.ifftshift for torch < 1.8: roll each dim by (size+1)//2, the inverse of fftshift.
        Added by PR #44877 (pytorch#42175). Remove when torch >= 1.8."""
        dims = _shift_dims(input, dim)
        if not dims:
            return input.clone()
        return torch.roll(input, tuple((int(input.size(d)) + 1) // 2 for d in dims), dims)

    return ifftshift


FFT_MODULE_SHADOW.alias("fft.fftfreq", fallback=_fftfreq)
FFT_MODULE_SHADOW.alias("fft.rfftfreq", fallback=_rfftfreq)
FFT_MODULE_SHADOW.alias("fft.fftshift", fallback=_fftshift)
FFT_MODULE_SHADOW.alias("fft.ifftshift", fallback=_ifftshift)
