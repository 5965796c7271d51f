"""TC304: ``F.upsample_nearest`` / ``F.upsample_bilinear`` -> ``F.interpolate(..., mode=...)``.

Both were deprecated in 0.4.1. ``upsample_bilinear`` always used ``align_corners=True``, so the
rewrite says so and means exactly the same on every release."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import rename_tail
from torchcompat.migrate.rules._queries import keyword
from torchcompat.shifts.nn import NN_UPSAMPLE_FN

_MODES = {
    "torch.nn.functional.upsample_nearest": "mode='nearest'",
    "torch.nn.functional.upsample_bilinear": "mode='bilinear', align_corners=True",
}


@rule(
    "TC304",
    record=NN_UPSAMPLE_FN,
    name="upsample-named",
    message="F.upsample_nearest / F.upsample_bilinear are deprecated since torch {deprecated}: use F.interpolate",
    docs="F.upsample_bilinear(x, size) -> F.interpolate(x, size, mode='bilinear', align_corners=True); "
    "F.upsample_nearest(x, size) -> F.interpolate(x, size, mode='nearest')",
    safe=True,
    nodes=(ast.Call,),
    hints=("upsample_*",),
)
def upsample_named(node: ast.Call, ctx: Context) -> None:
    qual = ctx.qualname(node.func)
    extra = _MODES.get(qual or "")
    if extra is None:
        return
    if (
        keyword(node, "mode") is not None
        or keyword(node, "align_corners") is not None
        or len(node.args) > 3
        or any(k.arg is None for k in node.keywords)
    ):
        ctx.report(node)
        return
    edits = [rename_tail(ctx, node.func, "interpolate", "nn.functional.interpolate"), ctx.append_arguments(node, extra)]
    ctx.report(node, message="%s is deprecated: F.interpolate(..., %s)" % (qual.rsplit(".", 1)[1], extra), edits=edits)
