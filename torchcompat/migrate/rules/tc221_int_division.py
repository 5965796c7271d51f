"""TC221: ``int_tensor / n`` -> ``int_tensor // n``.

Up to torch 1.4 ``/`` on integer tensors truncated; 1.5 warned, 1.6 raised, and since 1.7 it is true
division (a float result), which then fails as an index ("tensors used as indices must be long ...") or a
class target, or silently changes numbers. The fix writes ``//`` where the dividend is known to be an
integer tensor (``.long()``, ``torch.LongTensor(...)``, ``torch.randint`` ... or a name bound once to
one), or where the quotient is used as an integer (an index, a ``cross_entropy``/``nll_loss`` target).
Unsafe: ``//`` floors (since 1.13) where the old ``/`` truncated, which differs for negative quotients.
Where only the divisor is known to be an integer tensor: a warning. With ``--trace``, what the run saw
decides: integer operands give ``//`` (non-negative) or ``torch.div(a, b, rounding_mode='trunc')`` (old torch
truncated negatives), float operands leave ``/`` alone, and no static guess is made."""

from __future__ import annotations

import ast
from typing import Optional

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import arg_src
from torchcompat.migrate.rules._queries import expr_kind, scope_index, scope_of
from torchcompat.migrate.rules._trace import describe, division, proven
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
    seen = division(ctx, node)
    if seen is not None:
        _from_trace(node, ctx, seen)
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


def _slash(ctx: Context, node: ast.BinOp) -> Optional[int]:
    """Offset of the ``/`` between the operands (None when it cannot be found plainly)."""
    left_end = ctx.end(node.left)
    slash = ctx.text[left_end : ctx.start(node.right)].find("/")
    return None if slash < 0 else left_end + slash


def _from_trace(node: ast.BinOp, ctx: Context, seen: tuple) -> None:
    """Rewrite (or leave) a ``/`` the way the trace's operands say."""
    verdict, negative, events = seen
    if verdict == "float":
        return  # the run divided non-integers here: true division, the same on every release
    what = describe(events)
    if verdict == "mixed":
        ctx.report(node, warning=True, message="/ seen with integer and float operands in the trace (%s)" % what)
        return
    if not negative:
        pos = _slash(ctx, node)
        if pos is None:
            ctx.report(node, warning=True, message="/ seen on integers in the trace (%s): use //" % what)
            return
        message = "/ seen on non-negative integers in the trace (%s): truncating division is //" % what
        proven(ctx.report(node, message=message, edits=[(pos, pos + 1, "//")]))
        return
    message = "/ seen on integers that can be negative in the trace (%s): old torch truncated" % what
    left = node.left
    number_first = any("dtype" not in (e.get("operands") or [{}])[0] for e in events)  # torch.div(2, t) fails
    if number_first or not (ctx.portable or ctx.allows("1.8")):
        ctx.report(node, warning=True, message=message + "; use torch.div(a, b, rounding_mode='trunc')")
        return
    func = ctx.tc("div") if ctx.portable else ctx.torch("div")
    text = "%s(%s, %s, rounding_mode='trunc')" % (func, arg_src(ctx, left), arg_src(ctx, node.right))
    start, end = ctx.span(node)
    proven(ctx.report(node, message=message, edits=[(start, end, text)]))
