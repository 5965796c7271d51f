"""TC416: torch.ger(a, b) -> torch.outer(a, b)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import call_rule
from torchcompat.shifts.linalg import LA_GER


@rule(
    "TC416",
    record=LA_GER,
    name="ger",
    message="torch.ger is deprecated: use torch.outer",
    docs="torch.ger(a, b) -> torch.outer(a, b)",
    safe=True,
    nodes=(ast.Call,),
    hints=("ger",),
)
@call_rule(["torch.ger"])
def ger(call: ast.Call, ctx: Context, qual: str) -> None:
    start = ctx.start(call.func)
    end = ctx.end(call.func)
    if isinstance(call.func, ast.Attribute):
        ctx.report(call, edits=[(end - len("ger"), end, "outer")])
    else:
        ctx.report(call, edits=[(start, end, ctx.torch("outer"))])
