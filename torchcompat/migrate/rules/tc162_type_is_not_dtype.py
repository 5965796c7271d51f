"""TC162: ``type(x) == torch.cuda.FloatTensor`` (``is``, ``!=``, ``is not``): always False since 0.4 (the type of every
tensor is ``torch.Tensor``). Fix: ``x.type() == 'torch.cuda.FloatTensor'``."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import receiver_text
from torchcompat.shifts.autograd import AG_TYPE_IS_NOT_DTYPE

_LEGACY_TYPES = {
    "torch.%s%s" % (mod, name)
    for mod in ("", "cuda.")
    for name in (
        "FloatTensor",
        "DoubleTensor",
        "HalfTensor",
        "ByteTensor",
        "CharTensor",
        "ShortTensor",
        "IntTensor",
        "LongTensor",
        "BoolTensor",
        "BFloat16Tensor",
    )
}


@rule(
    "TC162",
    record=AG_TYPE_IS_NOT_DTYPE,
    name="type-is-not-dtype",
    message="type(x) is torch.Tensor for every tensor since torch {removed}: compare x.type() with the type name",
    docs="type(x) == torch.cuda.FloatTensor -> x.type() == 'torch.cuda.FloatTensor'",
    safe=True,
    nodes=(ast.Compare,),
    hints=("type",),
)
def type_compare(node: ast.Compare, ctx: Context) -> None:
    if len(node.ops) != 1 or not isinstance(node.ops[0], (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)):
        return
    left, right = node.left, node.comparators[0]
    if ctx.qualname(left) in _LEGACY_TYPES:
        left, right = right, left
    qual = ctx.qualname(right)
    if qual not in _LEGACY_TYPES:
        return
    if not (
        isinstance(left, ast.Call)
        and isinstance(left.func, ast.Name)
        and left.func.id == "type"
        and ctx.qualname(left.func) is None
        and len(left.args) == 1
        and not left.keywords
        and not isinstance(left.args[0], ast.Starred)
    ):
        return
    op = "==" if isinstance(node.ops[0], (ast.Eq, ast.Is)) else "!="
    text = "%s.type() %s %r" % (receiver_text(ctx, left.args[0]), op, qual)
    start, end = ctx.span(node)
    ctx.report(node, edits=[(start, end, text)])
