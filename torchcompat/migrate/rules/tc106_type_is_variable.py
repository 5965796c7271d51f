"""TC106: ``type(x) == Variable`` (``is``, ``!=``, ``is not``) -> ``isinstance(x, torch.Tensor)`` (negated for
``!=`` / ``is not``).

The check is the standard ``repackage_hidden`` of every 2017 language model (``if type(h) == Variable:``). Since
torch 0.4 Variable and Tensor are one class and ``type(t)`` is ``torch.Tensor`` for every tensor, so the test is
silently False for every value and the function recurses into a tensor until it fails. A meaning change, but the
spelling is its own evidence: nobody compares ``type(x)`` with ``Variable`` in code written for torch >= 0.4, so
the code meant "is it a Variable", which since 0.4 is "is it a tensor"; the rewrite is safe without a source era
(the record is the Variable/Tensor merge, ``kind="spelling"``). One difference remains: a ``Parameter`` is a
Tensor, while in 0.3 ``type(p) == Variable`` was False for it (it is a subclass): in the idiom the value is a
hidden state, never a Parameter. ``isinstance(x, torch.Tensor)`` exists on every release."""

from __future__ import annotations

import ast
from typing import Optional

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.shifts.autograd import AG_VARIABLE_WRAPPER

VARIABLE = "torch.autograd.Variable"


def _type_call(ctx: Context, node: ast.AST) -> Optional[ast.AST]:
    """The argument of a builtin ``type(x)`` call, or None."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "type"
        and _builtin(ctx, node.func)
        and len(node.args) == 1
        and not node.keywords
        and not isinstance(node.args[0], ast.Starred)
    ):
        return node.args[0]
    return None


def _builtin(ctx: Context, name: ast.Name) -> bool:
    """Whether ``name`` is the builtin: not imported, and bound by no enclosing function (a parameter
    ``type=...``) nor by the module."""
    if ctx.qualname(name) is not None or ctx.imports is None:
        return False
    for scope in ctx.ancestors(name):
        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            if name.id in ctx.imports.local_names(scope):
                return False
    return not any(not isinstance(n.ctx, ast.Load) for n in ctx.names_of(name.id))


@rule(
    "TC106",
    record=AG_VARIABLE_WRAPPER,
    emits=(),
    name="type-is-variable",
    message="type(x) == Variable is False for every tensor since torch {added} (Variable and Tensor are one "
    "class): use isinstance(x, torch.Tensor)",
    docs="type(h) == Variable -> isinstance(h, torch.Tensor); type(h) != Variable -> not isinstance(h, torch.Tensor)",
    safe=True,
    portable="plain",
    nodes=(ast.Compare,),
    hints=("Variable",),
)
def type_is_variable(node: ast.Compare, ctx: Context) -> None:
    if len(node.ops) != 1 or not isinstance(node.ops[0], (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)):
        return
    left, right = node.left, node.comparators[0]
    if ctx.qualname(left) == VARIABLE:
        left, right = right, left
    if ctx.qualname(right) != VARIABLE:
        return
    value = _type_call(ctx, left)
    if value is None:
        return
    negate = isinstance(node.ops[0], (ast.NotEq, ast.IsNot))
    text = "%sisinstance(%s, %s)" % ("not " if negate else "", ctx.source(value), ctx.torch("Tensor"))
    start, end = ctx.span(node)
    ctx.report(node, edits=[(start, end, text)])
