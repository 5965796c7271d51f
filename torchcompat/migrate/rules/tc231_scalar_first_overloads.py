"""TC231: the deprecated scalar-first overloads ``x.add_(-lr, g)``, ``x.sub_(a, g)``, ``x.addcmul_(v, t1, t2)``,
``x.addcdiv_(v, t1, t2)`` (positional only: ``alpha``/``value`` are keyword-only in the current signature, so these
argument counts can only be the old overload) -> ``x.add_(g, alpha=-lr)``, ``x.addcmul_(t1, t2, value=v)`` (the
keywords exist from 1.0)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import arg_src
from torchcompat.shifts.tensor import T_SCALAR_FIRST_OVERLOADS

_SCALAR_FIRST = {"add_": 2, "sub_": 2, "addcmul_": 3, "addcdiv_": 3, "addcmul": 3, "addcdiv": 3}


@rule(
    "TC231",
    record=T_SCALAR_FIRST_OVERLOADS,
    emits=(),
    name="scalar-first-overloads",
    message="the scalar-first overload is deprecated since torch {deprecated}: pass the scalar as alpha=/value=",
    docs="x.add_(-lr, g) -> x.add_(g, alpha=-lr); x.addcmul_(v, t1, t2) -> x.addcmul_(t1, t2, value=v)",
    safe=True,
    nodes=(ast.Call,),
    hints=("add_", "sub_", "addcmul*", "addcdiv*"),
)
def scalar_first(call: ast.Call, ctx: Context) -> None:
    func = call.func
    if not isinstance(func, ast.Attribute) or _SCALAR_FIRST.get(func.attr) != len(call.args) or call.keywords:
        return
    if ctx.qualname(func) is not None or any(isinstance(a, ast.Starred) for a in call.args):
        return  # torch.addcmul(...) (a function, not a method) or *args
    if isinstance(func.value, ast.Name) and func.value.id in ("self", "cls"):
        return  # a user class's own method
    first = call.args[0]
    if isinstance(first, (ast.List, ast.Tuple, ast.Dict, ast.Set, ast.JoinedStr)) or (
        isinstance(first, ast.Constant) and not isinstance(first.value, (int, float))
    ):
        return
    name = "alpha" if func.attr in ("add_", "sub_") else "value"
    rest = ", ".join(arg_src(ctx, a) for a in call.args[1:])
    start = ctx.start(call.args[0])
    end = ctx.end(call.args[-1])
    ctx.report(call, edits=[(start, end, "%s, %s=%s" % (rest, name, arg_src(ctx, first)))])
