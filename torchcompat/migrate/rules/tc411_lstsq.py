"""TC411: X, _ = torch.lstsq(B, A) -> X = torch.linalg.lstsq(A, B).solution (the old X was padded to max(m, n) rows)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._linalg import lstsq_like
from torchcompat.migrate.rules._queries import call_rule
from torchcompat.shifts.linalg import LA_LSTSQ


@rule(
    "TC411",
    record=LA_LSTSQ,
    name="lstsq",
    message="torch.lstsq(B, A) was removed in torch {removed}: use torch.linalg.lstsq(A, B).solution",
    docs="X, _ = torch.lstsq(B, A) -> X = torch.linalg.lstsq(A, B).solution (the old X was padded to max(m, n) rows)",
    safe=False,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("lstsq",),
)
@call_rule(["torch.lstsq"])
def lstsq(call: ast.Call, ctx: Context, qual: str) -> None:
    lstsq_like(call, ctx, "lstsq")
