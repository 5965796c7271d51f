"""TC414: torch.matrix_rank(A, symmetric=True) -> torch.linalg.matrix_rank(A, hermitian=True); tol=t -> atol=t, rtol=0
(1.11+)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import arg_src, replace_call
from torchcompat.migrate.rules._linalg import linalg
from torchcompat.migrate.rules._queries import bind, call_rule, const
from torchcompat.shifts.linalg import LA_MATRIX_RANK


@rule(
    "TC414",
    record=LA_MATRIX_RANK,
    name="matrix-rank",
    message="torch.matrix_rank was removed in torch {removed}: use torch.linalg.matrix_rank",
    docs="torch.matrix_rank(A, symmetric=True) -> torch.linalg.matrix_rank(A, hermitian=True); tol=t -> "
    "atol=t, rtol=0 (1.11+)",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("matrix_rank",),
)
@call_rule(["torch.matrix_rank"])
def matrix_rank(call: ast.Call, ctx: Context, qual: str) -> None:
    args = bind(call, ["input", "tol", "symmetric"])
    if args is None or "input" not in args:
        ctx.report(call)
        return
    parts = [arg_src(ctx, args["input"])]
    if "tol" in args and const(args["tol"]) is not None:
        if not (ctx.portable or ctx.allows("1.11")):
            ctx.report(call, message="torch.matrix_rank(A, tol): torch.linalg.matrix_rank takes atol= from 1.11")
            return
        parts.append("atol=%s, rtol=0" % arg_src(ctx, args["tol"]))
    if "symmetric" in args and const(args["symmetric"]) is not False:
        parts.append("hermitian=%s" % arg_src(ctx, args["symmetric"]))
    ctx.report(call, edits=replace_call(ctx, call, "%s(%s)" % (linalg(ctx, "matrix_rank"), ", ".join(parts))))
