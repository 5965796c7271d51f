"""TC101: ``Variable(x)`` -> ``x``; ``Variable(x, requires_grad=True)`` -> ``x.detach().requires_grad_()``.

Since torch 0.4 tensors are Variables: the wrapper returns a detached alias of its argument, which for
0.3-era code (where the argument was always a plain tensor) is the tensor itself. ``--portable`` writes
``tc.variable(x, requires_grad=...)`` where a keyword is given."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import delete_statement, expr_text, receiver_text, self_assignment
from torchcompat.migrate.rules._queries import is_const, keyword
from torchcompat.shifts.autograd import AG_VARIABLE_WRAPPER

VARIABLE = "torch.autograd.Variable"


def is_fresh(ctx: Context, node: ast.AST) -> bool:
    """A tensor made by the expression itself (``torch.randn(3)``, ``torch.Tensor(2, 3).normal_()``):
    no other name refers to it, so ``requires_grad_()`` needs no ``detach()``."""
    while isinstance(node, ast.Call):
        qual = ctx.qualname(node.func)
        if qual is not None:
            return qual.startswith("torch.") and not qual.startswith("torch.autograd")
        if isinstance(node.func, ast.Attribute) and node.func.attr.endswith("_"):
            node = node.func.value  # an in-place method returns its receiver
            continue
        return False
    return False


@rule(
    "TC101",
    record=AG_VARIABLE_WRAPPER,
    name="variable-wrapper",
    message="Variable(...) is a no-op wrapper since torch {deprecated}: use the tensor itself",
    docs="Variable(x) -> x; Variable(x, requires_grad=True) -> x.detach().requires_grad_() "
    "(--portable: tc.variable(x, requires_grad=True))",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("Variable",),
)
def variable_wrapper(node: ast.Call, ctx: Context) -> None:
    if ctx.qualname(node.func) != VARIABLE or keyword(node, "volatile") is not None:
        return  # volatile: TC102
    if (
        len(node.args) != 1
        or isinstance(node.args[0], ast.Starred)
        or any(kw.arg != "requires_grad" for kw in node.keywords)
    ):
        ctx.report(
            node,
            warning=True,
            message="Variable(...) with arguments the tool cannot rewrite: "
            "use the tensor itself (t.requires_grad_() for requires_grad=True)",
        )
        return
    arg = node.args[0]
    rg = keyword(node, "requires_grad")
    start, end = ctx.span(node)
    if rg is None or is_const(rg.value, False):
        stmt = self_assignment(ctx, node, arg)
        ctx.report(
            node, edits=[delete_statement(ctx, stmt) if stmt is not None else (start, end, expr_text(ctx, arg, node))]
        )
        return
    if ctx.portable:
        func_start, func_end = ctx.span(node.func)
        ctx.report(node, edits=[(func_start, func_end, ctx.tc("variable"))])
        return
    flag = "" if is_const(rg.value, True) else ctx.source(rg.value)
    chain = ".requires_grad_(%s)" % flag if is_fresh(ctx, arg) else ".detach().requires_grad_(%s)" % flag
    ctx.report(node, edits=[(start, end, receiver_text(ctx, arg) + chain)])
