"""TC230: ``torch.full(size, 1)`` (an int/bool literal fill, no ``dtype=``/``out=``): float before 1.7, int64/bool from
1.7. Warning: pass ``dtype=`` (no fix: the intended dtype is not in the source)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import keyword
from torchcompat.shifts.tensor import T_FULL_INT_DTYPE


@rule(
    "TC230",
    record=T_FULL_INT_DTYPE,
    emits=(),
    name="full-int-dtype",
    message="torch.full with an int/bool fill value gives a float tensor before torch {removed} and an "
    "int64/bool one from {removed}: pass dtype= explicitly",
    docs="torch.full(size, 1) -> warning (write torch.full(size, 1.) or pass dtype=)",
    safe=False,
    fixable=False,
    nodes=(ast.Call,),
    hints=("full",),
)
def full_int(call: ast.Call, ctx: Context) -> None:
    if ctx.qualname(call.func) != "torch.full" or keyword(call, "dtype") or keyword(call, "out"):
        return
    if any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
        return
    fill = call.args[1] if len(call.args) >= 2 else getattr(keyword(call, "fill_value"), "value", None)
    if isinstance(fill, ast.UnaryOp) and isinstance(fill.op, ast.USub):
        fill = fill.operand
    if isinstance(fill, ast.Constant) and type(fill.value) in (int, bool):
        ctx.report(call, warning=True)
