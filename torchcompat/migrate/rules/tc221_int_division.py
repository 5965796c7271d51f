"""TC221: ``int_tensor / n`` -> ``int_tensor // n``.

Up to torch 1.4 ``/`` on integer tensors truncated; 1.5 warned, 1.6 raised, and since 1.7 it is true
division (a float result), which then fails as an index ("tensors used as indices must be long ...") or a
class target, or silently changes numbers. The fix writes ``//`` where the dividend is known to be an
integer tensor (``.long()``, ``torch.LongTensor(...)``, ``torch.randint`` ... or a name bound once to
one), or where the quotient is used as an integer (an index, a ``cross_entropy``/``nll_loss`` target).
Unsafe: ``//`` floors (since 1.13) where the old ``/`` truncated, which differs for negative quotients.
Where only the divisor is known to be an integer tensor: a warning."""

from __future__ import annotations

import ast
from typing import Optional

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import expr_kind, scope_index, scope_of
from torchcompat.shifts.tensor import T_INT_DIV_AS_INDEX, T_INT_TRUE_DIVISION

_TARGET_FUNCS = {
    "torch.nn.functional.cross_entropy",
    "torch.nn.functional.nll_loss",
    "torch.nn.functional.multi_margin_loss",
}


def _used_as_int(ctx: Context, expr: ast.AST) -> bool:
    """The value of ``expr`` is used as an index or a class target."""
    parent = ctx.parent(expr)
    if isinstance(parent, ast.Subscript) and _index_of(parent) is expr:
        return True
    if (
        isinstance(parent, ast.Call)
        and len(parent.args) >= 2
        and parent.args[1] is expr
        and ctx.qualname(parent.func) in _TARGET_FUNCS
    ):
        return True
    return False


def _index_of(sub: ast.Subscript) -> ast.AST:
    index = sub.slice
    if isinstance(index, ast.Index):  # Python 3.8
        index = index.value  # type: ignore[attr-defined]
    return index


def _name_used_as_int(ctx: Context, binop: ast.BinOp) -> bool:
    parent = ctx.parent(binop)
    if not (
        isinstance(parent, ast.Assign)
        and parent.value is binop
        and len(parent.targets) == 1
        and isinstance(parent.targets[0], ast.Name)
    ):
        return False
    name = parent.targets[0].id
    for sub in scope_index(ctx, scope_of(ctx, parent)).loads.get(name, ()):
        if _used_as_int(ctx, sub):
            return True
    return False


@rule(
    "TC221",
    record=T_INT_TRUE_DIVISION,
    emits=(),
    also=(T_INT_DIV_AS_INDEX,),
    name="int-true-division",
    message="/ on an integer tensor is true division since torch {changed} (it truncated before {removed}): use //",
    docs="torch.arange(n).long() / 2 -> torch.arange(n).long() // 2; also where the quotient is used as an index or "
    "a loss target; only the divisor known to be integer: a warning",
    safe=False,
    nodes=(ast.BinOp,),
    hints=("/",),
)
def int_division(node: ast.BinOp, ctx: Context) -> None:
    if not isinstance(node.op, ast.Div):
        return
    reason: Optional[str] = None
    if expr_kind(ctx, node.left) == "int":
        reason = "the dividend is an integer tensor"
    elif _used_as_int(ctx, node) or _name_used_as_int(ctx, node):
        reason = "the quotient is used as an integer (an index or a class target)"
    if reason is None:
        if expr_kind(ctx, node.right) == "int":
            ctx.report(
                node,
                warning=True,
                message="/ with an integer tensor divisor: true division since torch {changed} "
                "(it truncated up to 1.5); check whether // was meant",
            )
        return
    # the operator's span: between the operands
    left_end = ctx.end(node.left)
    right_start = ctx.start(node.right)
    gap = ctx.text[left_end:right_start]
    slash = gap.find("/")
    if slash < 0:  # parenthesised operands: locate past closing parens
        return
    pos = left_end + slash
    ctx.report(
        node, message="/ is true division since torch {changed} (%s): use //" % reason, edits=[(pos, pos + 1, "//")]
    )
