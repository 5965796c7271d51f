"""TC420: torch.cholesky(A) -> torch.linalg.cholesky(A); torch.cholesky(A, upper=True) -> torch.linalg.cholesky(A).mH."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._linalg import cholesky_call
from torchcompat.migrate.rules._queries import call_rule
from torchcompat.shifts.linalg import LA_CHOLESKY


@rule(
    "TC420",
    record=LA_CHOLESKY,
    name="cholesky",
    message="torch.cholesky is deprecated: use torch.linalg.cholesky (upper=True: its .mH)",
    docs="torch.cholesky(A) -> torch.linalg.cholesky(A); torch.cholesky(A, upper=True) -> torch.linalg.cholesky(A).mH",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("cholesky",),
)
@call_rule(["torch.cholesky"])
def cholesky(call: ast.Call, ctx: Context, qual: str) -> None:
    cholesky_call(call, ctx, ["input", "upper"], False)
