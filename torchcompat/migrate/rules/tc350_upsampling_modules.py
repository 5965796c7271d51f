"""TC350: ``nn.UpsamplingNearest2d`` / ``nn.UpsamplingBilinear2d`` (deprecated) -> ``nn.Upsample`` with
the mode they imply (the bilinear module aligns corners)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import call_rule
from torchcompat.shifts.nn import NN_UPSAMPLING_MODULES

_MODES = {
    "torch.nn.UpsamplingNearest2d": "mode='nearest'",
    "torch.nn.UpsamplingBilinear2d": "mode='bilinear', align_corners=True",
}


@rule(
    "TC350",
    record=NN_UPSAMPLING_MODULES,
    name="upsampling-modules",
    message="nn.UpsamplingNearest2d / UpsamplingBilinear2d are deprecated: use nn.Upsample(mode=...)",
    docs="nn.UpsamplingBilinear2d(scale_factor=2) -> nn.Upsample(scale_factor=2, mode='bilinear', "
    "align_corners=True); nn.UpsamplingNearest2d(size) -> nn.Upsample(size, mode='nearest')",
    safe=True,
    nodes=(ast.Call,),
    hints=("UpsamplingNearest2d", "UpsamplingBilinear2d"),
)
@call_rule(list(_MODES))
def upsampling_modules(call: ast.Call, ctx: Context, qual: str) -> None:
    if (
        len(call.args) > 2
        or any(k.arg not in ("size", "scale_factor") for k in call.keywords)
        or any(isinstance(a, ast.Starred) for a in call.args)
    ):
        ctx.report(call)
        return
    func = call.func
    start, end = ctx.span(func)
    if isinstance(func, ast.Attribute):
        new_func = (end - len(func.attr), end, "Upsample")
    else:
        new_func = (start, end, ctx.torch("nn.Upsample"))
    ctx.report(call, edits=[new_func, ctx.append_arguments(call, _MODES[qual])])
