"""TC161: ``x.numpy()`` / ``x.cpu().numpy()`` where ``x`` provably requires grad (assigned once from a ``torch.*(...,
requires_grad=True)`` factory): an error since 0.4. Fix: ``x.detach().numpy()``."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import keyword, single_assignment
from torchcompat.shifts.autograd import AG_NUMPY_REQUIRES_GRAD


def _requires_grad(ctx: Context, node: ast.AST) -> bool:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("cpu", "clone"):
        if not node.args and not node.keywords:
            return _requires_grad(ctx, node.func.value)
        return False
    if isinstance(node, ast.Name):
        value = single_assignment(ctx, node)
        if isinstance(value, ast.Call):
            qual = ctx.qualname(value.func) or ""
            flag = keyword(value, "requires_grad")
            return (
                qual.startswith("torch.")
                and flag is not None
                and isinstance(flag.value, ast.Constant)
                and (flag.value.value is True)
            )
    return False


@rule(
    "TC161",
    record=AG_NUMPY_REQUIRES_GRAD,
    name="numpy-requires-grad",
    message="numpy() on a tensor that requires grad raises since torch {removed}: detach() first",
    docs="x.numpy() -> x.detach().numpy() where x requires grad",
    safe=True,
    nodes=(ast.Call,),
    hints=("numpy",),
)
def numpy_requires_grad(call: ast.Call, ctx: Context) -> None:
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr != "numpy" or call.args or call.keywords:
        return
    if ctx.qualname(func) is not None or not _requires_grad(ctx, func.value):
        return
    end = ctx.end(func.value)
    ctx.report(call, edits=[(end, end, ".detach()")])
