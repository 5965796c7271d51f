"""TC305: ``F.upsample(...)`` -> ``F.interpolate(...)``; for the linear modes ``align_corners=True``.

Up to 0.3 the linear modes of ``upsample`` aligned corners; 0.4 changed the default to False (with a
warning). Code that calls ``F.upsample`` predates that, so the rewrite keeps the old numbers by
adding ``align_corners=True``: unsafe, as on 0.4+ the original line gave ``align_corners=False``."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import rename_tail
from torchcompat.migrate.rules._queries import keyword
from torchcompat.shifts.nn import NN_UPSAMPLE_FN

_LINEAR = {"linear", "bilinear", "bicubic", "trilinear"}


@rule(
    "TC305",
    record=NN_UPSAMPLE_FN,
    name="upsample",
    message="F.upsample is deprecated since torch {deprecated}: use F.interpolate "
    "(the linear modes aligned corners up to 0.3)",
    docs="F.upsample(x, scale_factor=2, mode='bilinear') -> F.interpolate(x, scale_factor=2, mode='bilinear', "
    "align_corners=True)",
    safe=False,
    nodes=(ast.Call,),
    hints=("upsample",),
)
def upsample(node: ast.Call, ctx: Context) -> None:
    if ctx.qualname(node.func) != "torch.nn.functional.upsample":
        return
    if any(k.arg is None for k in node.keywords) or any(isinstance(a, ast.Starred) for a in node.args):
        ctx.report(node)
        return
    edits = [rename_tail(ctx, node.func, "interpolate", "nn.functional.interpolate")]
    mode_kw = keyword(node, "mode")
    mode = mode_kw.value if mode_kw is not None else (node.args[3] if len(node.args) > 3 else None)
    has_align = keyword(node, "align_corners") is not None or len(node.args) > 4
    message = None
    if mode is not None and not has_align:
        if isinstance(mode, ast.Constant) and isinstance(mode.value, str):
            if mode.value in _LINEAR:
                edits.append(ctx.append_arguments(node, "align_corners=True"))
                message = (
                    "F.upsample(mode=%r) is deprecated: F.interpolate(..., align_corners=True) keeps the "
                    "pre-0.4 result" % mode.value
                )
        else:
            message = (
                "F.upsample is deprecated: F.interpolate; mode is not a literal, so check align_corners "
                "(True reproduces the pre-0.4 linear modes)"
            )
    ctx.report(node, message=message, edits=edits)
