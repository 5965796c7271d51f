"""TC501: ``torch.rfft/irfft/fft/ifft(x, signal_ndim, ...)`` (removed in torch 1.8) -> ``torch.fft``.

The old functions worked on real tensors with a trailing dimension of 2 for (real, imag); the new
module works on complex tensors. The fix keeps the old layout at the call's edges with
``torch.view_as_real`` / ``torch.view_as_complex``, so the surrounding code needs no change:

* ``torch.rfft(x, 1)`` -> ``torch.view_as_real(torch.fft.rfft(x))`` (``rfft2``/``rfftn`` for 2/3 dims;
  ``onesided=False`` -> ``fft``; ``normalized=True`` -> ``norm='ortho'``)
* ``torch.irfft(X, 1, signal_sizes=s)`` -> ``torch.fft.irfftn(torch.view_as_complex(X.contiguous()), s=s,
  dim=(-1,))`` (without ``signal_sizes`` the old last size was odd, ``2 * m - 1``: written out)
* ``torch.fft(X, 2)`` / ``torch.ifft`` -> ``torch.view_as_real(torch.fft.fft2(torch.view_as_complex(...)))``

``--portable`` writes ``tc.fft.rfft_legacy(...)`` and friends, the old signature on every release.
"""

from __future__ import annotations

import ast
from typing import List

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import arg_src, dims_tuple, receiver_text
from torchcompat.migrate.rules._queries import UNKNOWN, bind, call_rule, const, is_simple
from torchcompat.shifts.fft import FFT_LEGACY_FUNCTIONS

_PARAMS = {
    "rfft": ["input", "signal_ndim", "normalized", "onesided"],
    "irfft": ["input", "signal_ndim", "normalized", "onesided", "signal_sizes"],
    "fft": ["input", "signal_ndim", "normalized"],
    "ifft": ["input", "signal_ndim", "normalized"],
}


def _fn(ctx: Context, base: str, ndim: int, with_dim: bool) -> str:
    if ndim == 1:
        return ctx.torch("fft." + base)
    if ndim == 2:
        return ctx.torch("fft." + base + "2")
    return ctx.torch("fft." + base + "n")


@rule(
    "TC501",
    record=FFT_LEGACY_FUNCTIONS,
    name="fft-legacy",
    message="torch.rfft/irfft/fft/ifft(x, signal_ndim) were removed in torch {removed}: use the torch.fft module "
    "(complex tensors; view_as_real/view_as_complex keep the old (..., 2) layout)",
    docs="torch.rfft(x, 1) -> torch.view_as_real(torch.fft.rfft(x)); torch.irfft(X, 1, signal_sizes=s) -> "
    "torch.fft.irfftn(torch.view_as_complex(X.contiguous()), s=s, dim=(-1,)) (--portable: tc.fft.rfft_legacy ...)",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("*fft",),
)
@call_rule(["torch.rfft", "torch.irfft", "torch.fft", "torch.ifft"])
def fft_legacy(call: ast.Call, ctx: Context, qual: str) -> None:
    old = qual.rsplit(".", 1)[1]
    if ctx.imports is not None and qual == "torch.fft" and _fft_is_module(ctx):
        return
    args = bind(call, _PARAMS[old])
    if args is None or not {"input", "signal_ndim"} <= set(args):
        ctx.report(call)
        return
    if ctx.portable:  # same signature, every release
        start, end = ctx.span(call.func)
        ctx.report(call, edits=[(start, end, ctx.tc("fft.%s_legacy" % old))])
        return
    ndim = const(args["signal_ndim"])
    normalized = const(args.get("normalized"), False)
    onesided = const(args.get("onesided"), True)
    if (
        ndim not in (1, 2, 3)
        or isinstance(ndim, bool)
        or UNKNOWN in (normalized, onesided)
        or not isinstance(normalized, bool)
        or not isinstance(onesided, bool)
    ):
        ctx.report(
            call,
            message="torch.%s with a signal_ndim/normalized/onesided that is not a literal: rewrite by "
            "hand to torch.fft (view_as_real/view_as_complex keep the old layout)" % old,
        )
        return
    norm = ", norm='ortho'" if normalized else ""
    x = args["input"]
    real = ctx.torch("view_as_real")
    cplx = ctx.torch("view_as_complex")
    if old == "rfft":
        base = "rfft" if onesided else "fft"
        new = "%s(%s(%s%s))" % (real, _fn(ctx, base, ndim, False), arg_src(ctx, x), norm)
    elif old in ("fft", "ifft"):
        new = "%s(%s(%s(%s.contiguous())%s))" % (real, _fn(ctx, old, ndim, False), cplx, receiver_text(ctx, x), norm)
    else:  # irfft
        z = "%s(%s.contiguous())" % (cplx, receiver_text(ctx, x))
        parts: List[str] = [z]
        if not onesided:  # the input was a full spectrum: the real part of the inverse
            new = "%s(%s%s).real" % (_fn(ctx, "ifft", ndim, False), z, norm)
            if "signal_sizes" in args:
                ctx.report(call, message="torch.irfft(onesided=False, signal_sizes=...): rewrite by hand")
                return
            ctx.report(call, edits=[(ctx.start(call), ctx.end(call), new)])
            return
        if "signal_sizes" in args:
            parts.append("s=%s" % arg_src(ctx, args["signal_sizes"]))
        elif is_simple(x):  # the old default last size is odd: 2 * m - 1 (pytorch#19111), not 2 * (m - 1)
            xs = ctx.source(x)
            last = "2 * %s.size(-2) - 1" % xs
            if ndim == 1:
                parts.append("s=(%s,)" % last)
            else:
                parts.append("s=tuple(%s.shape[%d:-2]) + (%s,)" % (xs, -ndim - 1, last))
        else:
            ctx.report(
                call,
                message="torch.irfft without signal_sizes= made an odd-length signal (2 * m - 1): "
                "rewrite by hand to torch.fft.irfftn(..., s=...) or bind the input to a name",
            )
            return
        parts.append("dim=%s" % dims_tuple(ndim))
        fn = ctx.torch("fft.irfftn")
        new = "%s(%s%s)" % (fn, ", ".join(parts), norm)
    ctx.report(call, edits=[(ctx.start(call), ctx.end(call), new)])


def _fft_is_module(ctx: Context) -> bool:
    """``import torch.fft`` makes ``torch.fft`` the module (a call to it is not the legacy function)."""
    tree = ctx.tree
    if tree is None:
        return False
    found = ctx.__dict__.get("_tc501_fft_module")
    if found is None:
        found = ctx.__dict__["_tc501_fft_module"] = any(
            isinstance(node, ast.Import) and any(a.name == "torch.fft" for a in node.names) for node in ast.walk(tree)
        )
    return found
