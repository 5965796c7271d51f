"""TC421: U, S, V = torch.svd(A) -> U, S, Vh = torch.linalg.svd(A, full_matrices=False); V = Vh.mH (by hand: a
warning)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import call_rule
from torchcompat.shifts.linalg import LA_SVD


@rule(
    "TC421",
    record=LA_SVD,
    name="svd",
    message="torch.svd is deprecated: torch.linalg.svd returns Vh (not V) and full_matrices is the inverse of some",
    docs="U, S, V = torch.svd(A) -> U, S, Vh = torch.linalg.svd(A, full_matrices=False); V = Vh.mH (by hand: "
    "a warning)",
    safe=False,
    fixable=False,
    nodes=(ast.Call,),
    hints=("svd",),
)
@call_rule(["torch.svd"])
def svd(call: ast.Call, ctx: Context, qual: str) -> None:
    ctx.report(call, warning=True)
