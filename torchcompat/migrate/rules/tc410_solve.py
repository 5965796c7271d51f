"""TC410: X, _ = torch.solve(B, A) / torch.solve(B, A).solution -> torch.linalg.solve(A, B)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._linalg import solve_like
from torchcompat.migrate.rules._queries import call_rule
from torchcompat.shifts.linalg import LA_SOLVE


@rule(
    "TC410",
    record=LA_SOLVE,
    name="solve",
    message="torch.solve(B, A) was removed in torch {removed}: use torch.linalg.solve(A, B) (arguments reversed)",
    docs="X, _ = torch.solve(B, A) / torch.solve(B, A).solution -> torch.linalg.solve(A, B)",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("solve",),
)
@call_rule(["torch.solve"])
def solve(call: ast.Call, ctx: Context, qual: str) -> None:
    solve_like(call, ctx, "solve")
