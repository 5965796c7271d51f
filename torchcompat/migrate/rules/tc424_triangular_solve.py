"""TC424: X, _ = torch.triangular_solve(B, A) -> X = torch.linalg.solve_triangular(A, B, upper=True) (the old default
was upper=True; transpose=True transposes A)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._linalg import triangular
from torchcompat.migrate.rules._queries import call_rule, keyword
from torchcompat.shifts.linalg import LA_TRIANGULAR_SOLVE


@rule(
    "TC424",
    record=LA_TRIANGULAR_SOLVE,
    name="triangular-solve",
    message="torch.triangular_solve(B, A) is deprecated: use torch.linalg.solve_triangular(A, B, upper=...)",
    docs="X, _ = torch.triangular_solve(B, A) -> X = torch.linalg.solve_triangular(A, B, upper=True) (the old "
    "default was upper=True; transpose=True transposes A)",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("triangular_solve",),
)
@call_rule(["torch.triangular_solve"])
def triangular_solve(call: ast.Call, ctx: Context, qual: str) -> None:
    if keyword(call, "out") is not None:
        ctx.report(call)
        return
    triangular(call, ctx, "triangular_solve")
