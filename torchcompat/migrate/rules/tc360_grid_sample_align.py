"""TC360: ``F.grid_sample`` / ``F.affine_grid`` without ``align_corners``: the default flipped to False in 1.3 and
torch still warns. Fix: ``align_corners=False`` (today's behaviour, explicit; 1.3)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import call_rule, keyword
from torchcompat.shifts.nn import NN_GRID_SAMPLE_ALIGN


@rule(
    "TC360",
    record=NN_GRID_SAMPLE_ALIGN,
    name="grid-sample-align",
    message="grid_sample/affine_grid default to align_corners=False since torch {removed} (and warn): pass it "
    "explicitly (True gives the pre-{removed} sampling)",
    docs="F.grid_sample(x, g) -> F.grid_sample(x, g, align_corners=False)",
    safe=True,
    portable="",
    nodes=(ast.Call,),
    hints=("grid_sample", "affine_grid"),
)
@call_rule(["torch.nn.functional.grid_sample", "torch.nn.functional.affine_grid"])
def grid_sample(call: ast.Call, ctx: Context, qual: str) -> None:
    if keyword(call, "align_corners") is not None or any(k.arg is None for k in call.keywords):
        return
    if any(isinstance(a, ast.Starred) for a in call.args):
        return
    limit = 5 if qual.endswith("grid_sample") else 3  # positional align_corners
    if len(call.args) >= limit:
        return
    ctx.report(call, edits=[ctx.append_arguments(call, "align_corners=False")])
