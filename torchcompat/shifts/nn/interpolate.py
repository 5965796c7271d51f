"""``tc.nn.functional.interpolate`` with the 1.6+ scale semantics and ``antialias``/``recompute_scale_factor``."""

from __future__ import annotations

import math
from typing import Any, Callable, Optional

from torchcompat.probe import env as probe_env
from torchcompat.registry import REGISTRY, Resolution, UnsupportedError, backport, native, unavailable
from torchcompat.shifts.nn.backports import (
    BACKPORTS,
)
from torchcompat.shifts.nn.records import (
    NN_INTERP_RECOMPUTE_SCALE,
)

# -- F.interpolate ---------------------------------------------------------------------------------

_LINEAR_MODES = ("linear", "bilinear", "trilinear")


def _interp_new_default(env: Any) -> bool:
    """Does ``recompute_scale_factor=None`` mean False (1.6+; True with a warning in 1.5)?"""

    def check(t: Any) -> bool:
        x = t.arange(5.0).view(1, 1, 5)
        F = t.nn.functional
        default = F.interpolate(x, scale_factor=1.5, mode="linear", align_corners=False)
        given = F.interpolate(x, scale_factor=1.5, mode="linear", align_corners=False, recompute_scale_factor=False)
        return bool(t.equal(default, given))

    return bool(env.behaves("nn-interp-new-default", check))


def _scale_list(scale_factor: Any, n: int) -> Any:
    if isinstance(scale_factor, (tuple, list)):
        if len(scale_factor) != n:
            raise ValueError(
                "Input and scale_factor must have the same number of spatial dimensions, but got input with "
                "spatial dimensions of {} and scale_factor of shape {}.".format(n, list(scale_factor))
            )
        return [float(s) for s in scale_factor]
    return [float(scale_factor)] * n


@REGISTRY.builder("nn.functional.interpolate")
def _build_interpolate(torch: Any) -> Callable[..., Any]:
    F = torch.nn.functional
    base = getattr(F, "interpolate", None)
    if base is None:
        base = F.upsample
    import inspect

    try:
        params = inspect.signature(base).parameters
    except (TypeError, ValueError):  # pragma: no cover - C builtins of very old releases
        params = {}
    has_align = "align_corners" in params
    has_recompute = "recompute_scale_factor" in params
    has_antialias = "antialias" in params

    def tuple_scales_ok() -> bool:
        """Do the kernels take per-dimension scales (1.6+), or only one float (1.5)? Probed at first need."""
        return bool(
            probe_env(torch).behaves(
                "nn-interp-tuple-scales",
                lambda t: base(t.zeros(1, 1, 2, 2), None, (2.0, 1.5), "nearest", None, False) is not None,
            )
        )

    def given_scale(input: Any, scales: Any, mode: str) -> Any:
        """Resample with the given scales used as they are (recompute_scale_factor=False) on kernels
        that only know output sizes: nearest and the linear modes, computed per dimension as torch's
        CPU kernels do (float index arithmetic in the input's precision)."""
        spatial = input.dim() - 2
        out = input
        # last dimension first, as torch's separable kernels combine them
        for i in reversed(range(spatial)):
            d = 2 + i
            n_in = int(input.size(d))
            n_out = int(math.floor(float(n_in) * scales[i]))
            dtype = input.dtype if input.is_floating_point() else torch.float32
            pos = torch.arange(n_out, dtype=torch.float64).to(dtype)
            scale = torch.tensor(1.0 / scales[i], dtype=torch.float64).to(dtype)
            if mode == "nearest":
                if n_out == n_in:
                    continue
                if n_out == 2 * n_in:
                    idx = torch.arange(n_out) // 2
                else:
                    idx = torch.floor(pos * scale).long().clamp(max=n_in - 1)
                out = out.index_select(d, idx.to(input.device))
                continue
            src = (scale * (pos + 0.5) - 0.5).clamp(min=0)
            i0 = src.long()
            lam1 = (src - i0.to(dtype)).clamp(min=0, max=1)
            lam0 = 1 - lam1
            i1 = i0 + (i0 < n_in - 1).long()
            shape = [1] * input.dim()
            shape[d] = n_out
            a = out.index_select(d, i0.to(input.device))
            b = out.index_select(d, i1.to(input.device))
            out = a * lam0.to(input.device).view(shape) + b * lam1.to(input.device).view(shape)
        return out

    def interpolate(
        input: Any,
        size: Any = None,
        scale_factor: Any = None,
        mode: str = "nearest",
        align_corners: Optional[bool] = None,
        recompute_scale_factor: Optional[bool] = None,
        antialias: bool = False,
    ) -> Any:
        """``F.interpolate`` with torch 2.x's arguments and defaults on older torch: ``align_corners``
        (0.4.1), ``recompute_scale_factor`` (1.5; default False from 1.6,
        https://github.com/pytorch/pytorch/pull/38362) and
        ``antialias`` (1.11; only False can be honoured before). Without ``recompute_scale_factor`` the
        old kernels recompute the scale from the sizes; when that changes the result (a non-integral
        output size), nearest and linear modes are computed here with the given scale.
        Remove when torch >= 1.11."""
        extra = {}
        if antialias:
            if not has_antialias:
                raise UnsupportedError(
                    "torchcompat.nn.functional.interpolate(antialias=True) needs torch >= 1.11; this is torch %s"
                    % torch.__version__
                )
            extra["antialias"] = True
        if has_recompute:
            if recompute_scale_factor is None and scale_factor is not None:
                # the 2.x default; said explicitly so that 1.5 does not recompute and 1.6-1.10 do not warn
                recompute_scale_factor = False
            per_dim = isinstance(scale_factor, (tuple, list)) and recompute_scale_factor is False and size is None
            if not per_dim or tuple_scales_ok():
                return base(input, size, scale_factor, mode, align_corners, recompute_scale_factor, **extra)
            # torch 1.5 hands a per-dimension scale tuple to kernels that take one float (a TypeError):
            # computed below as on 1.0-1.4
        elif not has_align:
            # torch 0.3 upsample: the linear modes always aligned corners, nearest ignores it
            if mode in _LINEAR_MODES and align_corners is not True:
                raise UnsupportedError(
                    "torchcompat.nn.functional.interpolate(mode=%r, align_corners=False) needs torch >= 0.4.1;"
                    " this is torch %s (pass align_corners=True for this release's behaviour)"
                    % (mode, torch.__version__)
                )
            return base(input, size, scale_factor, mode)
        if scale_factor is not None and size is None and not recompute_scale_factor:
            scales = _scale_list(scale_factor, input.dim() - 2)
            exact = all(float(n) * s == math.floor(float(n) * s) for n, s in zip(input.shape[2:], scales))
            if not exact and mode != "area" and not (mode in _LINEAR_MODES and align_corners):
                if mode == "nearest" or mode in _LINEAR_MODES:
                    return given_scale(input, scales, mode)
                raise UnsupportedError(
                    "torchcompat.nn.functional.interpolate(mode=%r) with a scale_factor giving a non-integral "
                    "output size and recompute_scale_factor=False/None needs torch >= 1.6; this is torch %s "
                    "(pass recompute_scale_factor=True for this release's behaviour)" % (mode, torch.__version__)
                )
        if has_recompute:  # 1.5: the output size is integral, so recomputing the scale changes nothing
            return base(input, size, scale_factor, mode, align_corners, True)
        return base(input, size, scale_factor, mode, align_corners)

    return interpolate


def _env_of(torch: Any) -> Any:
    from torchcompat.probe import TorchEnv

    return TorchEnv.of(torch)


@NN_INTERP_RECOMPUTE_SCALE.adapter("nn.functional.interpolate")
def _interpolate(env: Any) -> Resolution:
    path = "nn.functional.interpolate"
    if env.accepts(path, "antialias") and env.accepts(path, "recompute_scale_factor") and _interp_new_default(env):
        return native(env.get(path))
    if not env.has(path) and not env.has("nn.functional.upsample"):
        return unavailable("0.2", "torch.nn.functional.upsample is missing")
    return backport(BACKPORTS[path](env.torch))
