"""TC850: torch.meshgrid(x, y) -> torch.meshgrid(x, y, indexing='ij') (--portable: tc.meshgrid(x, y, indexing='ij'))."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import call_rule, keyword
from torchcompat.shifts.tensor import MISC_MESHGRID_INDEXING


@rule(
    "TC850",
    record=MISC_MESHGRID_INDEXING,
    name="meshgrid-indexing",
    message="torch.meshgrid without indexing= warns since torch {deprecated} (a switch to 'xy' is announced)",
    docs="torch.meshgrid(x, y) -> torch.meshgrid(x, y, indexing='ij') (--portable: tc.meshgrid(x, y, indexing='ij'))",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("meshgrid",),
)
@call_rule(["torch.meshgrid", "torch.functional.meshgrid"])
def meshgrid(call: ast.Call, ctx: Context, qual: str) -> None:
    if keyword(call, "indexing") is not None or any(k.arg is None for k in call.keywords):
        return
    edits = [ctx.append_arguments(call, "indexing='ij'")]
    if ctx.portable:
        start, end = ctx.span(call.func)
        edits.append((start, end, ctx.tc("meshgrid")))
    ctx.report(call, edits=edits)
