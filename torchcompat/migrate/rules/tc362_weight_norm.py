"""TC362: ``nn.utils.weight_norm(m)`` (deprecated in 2.1) -> ``nn.utils.parametrizations.weight_norm(m)`` (unsafe:
parameters become ``parametrizations.weight.original0/1``; ``--portable``: ``tc.nn.utils.weight_norm``)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import call_rule
from torchcompat.shifts.nn import NN_WEIGHT_NORM


@rule(
    "TC362",
    record=NN_WEIGHT_NORM,
    name="weight-norm",
    message="torch.nn.utils.weight_norm is deprecated since torch {deprecated}: use "
    "torch.nn.utils.parametrizations.weight_norm (parameters become parametrizations.weight.original0/1)",
    docs="nn.utils.weight_norm(m) -> nn.utils.parametrizations.weight_norm(m) (--portable: tc.nn.utils.weight_norm(m))",
    safe=False,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("weight_norm",),
)
@call_rule(["torch.nn.utils.weight_norm", "torch.nn.utils.weight_norm.weight_norm"])
def weight_norm(call: ast.Call, ctx: Context, qual: str) -> None:
    start, end = ctx.span(call.func)
    new = ctx.tc("nn.utils.weight_norm") if ctx.portable else ctx.torch("nn.utils.parametrizations.weight_norm")
    ctx.report(call, edits=[(start, end, new)])
