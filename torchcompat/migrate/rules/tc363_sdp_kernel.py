"""TC363: ``torch.backends.cuda.sdp_kernel(enable_flash=..., ...)`` with literal flags (deprecated in 2.3) ->
``torch.nn.attention.sdpa_kernel([SDPBackend....])``."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import call_rule, const
from torchcompat.shifts.nn import NN_SDP_KERNEL

_SDP_FLAGS = (
    ("enable_flash", "FLASH_ATTENTION"),
    ("enable_mem_efficient", "EFFICIENT_ATTENTION"),
    ("enable_math", "MATH"),
    ("enable_cudnn", "CUDNN_ATTENTION"),
)


@rule(
    "TC363",
    record=NN_SDP_KERNEL,
    name="sdp-kernel",
    message="torch.backends.cuda.sdp_kernel is deprecated since torch {deprecated}: use "
    "torch.nn.attention.sdpa_kernel([SDPBackend...])",
    docs="sdp_kernel(enable_flash=True, enable_math=False, enable_mem_efficient=False) -> "
    "sdpa_kernel([SDPBackend.FLASH_ATTENTION])",
    safe=True,
    portable="",
    nodes=(ast.Call, ast.ImportFrom),
    hints=("sdp_kernel",),
)
@call_rule(["torch.backends.cuda.sdp_kernel"], imports=True)
def sdp_kernel(call: ast.Call, ctx: Context, qual: str) -> None:
    flags = {}
    if call.args:
        ctx.report(call)
        return
    for kw in call.keywords:
        value = const(kw.value)
        if kw.arg not in dict(_SDP_FLAGS) or not isinstance(value, bool):
            ctx.report(call)
            return
        flags[kw.arg] = value
    chosen = [member for arg, member in _SDP_FLAGS if flags.get(arg, True)]
    if not chosen:
        ctx.report(call)
        return
    backend = ctx.torch("nn.attention.SDPBackend")
    text = "%s([%s])" % (ctx.torch("nn.attention.sdpa_kernel"), ", ".join(backend + "." + m for m in chosen))
    start, end = ctx.span(call)
    ctx.report(call, edits=[(start, end, text)])
