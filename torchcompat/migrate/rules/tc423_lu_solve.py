"""TC423: torch.lu_solve(B, LU, piv) -> torch.linalg.lu_solve(LU, piv, B) (arguments reordered)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import arg_src, replace_call
from torchcompat.migrate.rules._linalg import linalg
from torchcompat.migrate.rules._queries import bind, call_rule
from torchcompat.shifts.linalg import LA_LU_SOLVE


@rule(
    "TC423",
    record=LA_LU_SOLVE,
    name="lu-solve",
    message="torch.lu_solve(B, LU, piv) is deprecated since torch {deprecated}: use torch.linalg.lu_solve(LU, piv, B)",
    docs="torch.lu_solve(B, LU, piv) -> torch.linalg.lu_solve(LU, piv, B) (arguments reordered)",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("lu_solve",),
)
@call_rule(["torch.lu_solve"])
def lu_solve(call: ast.Call, ctx: Context, qual: str) -> None:
    args = bind(call, ["b", "LU_data", "LU_pivots"])
    if args is None or len(args) != 3:
        ctx.report(call)
        return
    new = "%s(%s, %s, %s)" % (
        linalg(ctx, "lu_solve"),
        arg_src(ctx, args["LU_data"]),
        arg_src(ctx, args["LU_pivots"]),
        arg_src(ctx, args["b"]),
    )
    ctx.report(call, edits=replace_call(ctx, call, new))
