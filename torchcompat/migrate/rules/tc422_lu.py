"""TC422: LU, piv = torch.lu(A) -> torch.linalg.lu_factor(A); get_infos=True -> torch.linalg.lu_factor_ex(A)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import arg_src, replace_call
from torchcompat.migrate.rules._linalg import linalg
from torchcompat.migrate.rules._queries import UNKNOWN, bind, call_rule, const
from torchcompat.shifts.linalg import LA_LU


@rule(
    "TC422",
    record=LA_LU,
    name="lu",
    message="torch.lu is deprecated since torch {deprecated}: use torch.linalg.lu_factor",
    docs="LU, piv = torch.lu(A) -> torch.linalg.lu_factor(A); get_infos=True -> torch.linalg.lu_factor_ex(A)",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("lu",),
)
@call_rule(["torch.lu"])
def lu(call: ast.Call, ctx: Context, qual: str) -> None:
    args = bind(call, ["A", "pivot", "get_infos", "out"])
    infos = const(args.get("get_infos"), False) if args is not None else UNKNOWN
    if args is None or "A" not in args or "out" in args or infos is UNKNOWN or (infos and ctx.portable):
        ctx.report(call)
        return
    pivot = ", pivot=%s" % arg_src(ctx, args["pivot"]) if "pivot" in args else ""
    name = "lu_factor_ex" if infos else "lu_factor"
    ctx.report(call, edits=replace_call(ctx, call, "%s(%s%s)" % (linalg(ctx, name), arg_src(ctx, args["A"]), pivot)))
