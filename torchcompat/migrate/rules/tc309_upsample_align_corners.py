"""TC309: ``nn.Upsample(mode='bilinear')`` (a linear mode) without ``align_corners``.

Up to 0.3 the linear modes aligned corners; 0.4.0 switched the default to ``align_corners=False`` (a
half-pixel shift of every output value) and warned about it until 1.x. The source does not say which
numbers the author expected, so this is a warning without a fix: ``align_corners=True`` reproduces a
0.3-era result, ``align_corners=False`` states today's default (and silences the 0.4-1.x warning).
``F.upsample`` (TC305) and ``nn.UpsamplingBilinear2d`` (TC350) are 0.3-era by name and get fixes."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import bind, call_rule, const
from torchcompat.shifts.nn import NN_INTERP_ALIGN_CORNERS

_LINEAR = {"linear", "bilinear", "bicubic", "trilinear"}


@rule(
    "TC309",
    record=NN_INTERP_ALIGN_CORNERS,
    name="upsample-align-corners",
    message="nn.Upsample with a linear mode and no align_corners: torch before {added} aligned corners, {added}+ does "
    "not (a half-pixel shift): pass align_corners=True for 0.3-era numbers, False for today's",
    docs="nn.Upsample(scale_factor=2, mode='bilinear') -> warning (add align_corners=True or False)",
    safe=False,
    fixable=False,
    nodes=(ast.Call,),
    hints=("Upsample",),
)
@call_rule(["torch.nn.Upsample", "torch.nn.modules.upsampling.Upsample"])
def upsample_align(call: ast.Call, ctx: Context, qual: str) -> None:
    args = bind(call, ["size", "scale_factor", "mode", "align_corners", "recompute_scale_factor"])
    if args is None or "align_corners" in args:
        return
    mode = const(args.get("mode"), "nearest")
    if isinstance(mode, str) and mode in _LINEAR:
        ctx.report(call, warning=True)
