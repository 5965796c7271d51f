"""TC222: ``torch.linspace(a, b)`` / ``torch.logspace(a, b)`` without ``steps`` (100 implied; a
TypeError since torch 1.11) -> ``steps=100``, the old default."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import call_rule, keyword
from torchcompat.shifts.tensor import T_LINSPACE_STEPS


@rule(
    "TC222",
    record=T_LINSPACE_STEPS,
    emits=(),
    name="linspace-steps",
    message="torch.linspace/logspace without steps= (100 implied) is a TypeError since torch {removed}",
    docs="torch.linspace(a, b) -> torch.linspace(a, b, steps=100)",
    safe=True,
    nodes=(ast.Call,),
    hints=("linspace", "logspace"),
)
@call_rule(["torch.linspace", "torch.logspace"])
def linspace_steps(call: ast.Call, ctx: Context, qual: str) -> None:
    if len(call.args) != 2 or keyword(call, "steps") is not None or any(k.arg is None for k in call.keywords):
        return
    if any(isinstance(a, ast.Starred) for a in call.args):
        return
    ctx.report(call, edits=[ctx.append_arguments(call, "steps=100")])
