"""TC415: torch.chain_matmul(a, b, c) -> torch.linalg.multi_dot([a, b, c])."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import replace_call
from torchcompat.migrate.rules._linalg import linalg
from torchcompat.migrate.rules._queries import call_rule
from torchcompat.shifts.linalg import LA_CHAIN_MATMUL


@rule(
    "TC415",
    record=LA_CHAIN_MATMUL,
    name="chain-matmul",
    message="torch.chain_matmul is deprecated since torch {deprecated}: use torch.linalg.multi_dot",
    docs="torch.chain_matmul(a, b, c) -> torch.linalg.multi_dot([a, b, c])",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("chain_matmul",),
)
@call_rule(["torch.chain_matmul"])
def chain_matmul(call: ast.Call, ctx: Context, qual: str) -> None:
    if call.keywords or (len(call.args) < 2 and not any(isinstance(a, ast.Starred) for a in call.args)):
        ctx.report(call)
        return
    items = ", ".join(ctx.source(a) for a in call.args)
    ctx.report(call, edits=replace_call(ctx, call, "%s([%s])" % (linalg(ctx, "multi_dot"), items)))
