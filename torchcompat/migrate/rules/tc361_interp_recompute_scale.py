"""TC361: ``F.interpolate(x, scale_factor=1.5)`` (a non-integral literal scale): the sample positions differ before 1.6
(``recompute_scale_factor``). Only reported when the output must run below 1.6: ``--portable``:
``tc.nn.functional.interpolate``; ``--target-version 1.5``: ``recompute_scale_factor=False``."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import call_rule, const, keyword
from torchcompat.shifts.nn import NN_INTERP_RECOMPUTE_SCALE


@rule(
    "TC361",
    record=NN_INTERP_RECOMPUTE_SCALE,
    name="interp-recompute-scale",
    message="interpolate with a non-integral scale_factor samples differently before torch {removed} "
    "(recompute_scale_factor): use tc.nn.functional.interpolate or pass recompute_scale_factor=False",
    docs="F.interpolate(x, scale_factor=1.5) -> tc.nn.functional.interpolate(...) (--portable) or "
    "recompute_scale_factor=False (target 1.5)",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("interpolate",),
)
@call_rule(["torch.nn.functional.interpolate"])
def interp_scale(call: ast.Call, ctx: Context, qual: str) -> None:
    if not ctx.portable and ctx.allows("1.6"):
        return  # one behaviour on every release the output targets
    if keyword(call, "recompute_scale_factor") is not None or any(k.arg is None for k in call.keywords):
        return
    scale = keyword(call, "scale_factor")
    value = const(scale.value) if scale is not None else (const(call.args[2]) if len(call.args) > 2 else None)
    if not isinstance(value, float) or value.is_integer():
        return
    if ctx.portable:
        start, end = ctx.span(call.func)
        ctx.report(call, edits=[(start, end, ctx.tc("nn.functional.interpolate"))])
    else:
        ctx.report(call, edits=[ctx.append_arguments(call, "recompute_scale_factor=False")])
