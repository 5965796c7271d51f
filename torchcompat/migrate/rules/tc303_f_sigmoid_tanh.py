"""TC303: ``F.sigmoid`` / ``F.tanh`` -> ``torch.sigmoid`` / ``torch.tanh`` (deprecated in 0.4.1, PR #8748)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.shifts.nn import NN_F_SIGMOID_TANH

_NAMES = {"torch.nn.functional.sigmoid": "sigmoid", "torch.nn.functional.tanh": "tanh"}


@rule(
    "TC303",
    record=NN_F_SIGMOID_TANH,
    name="F-sigmoid-tanh",
    message="F.sigmoid / F.tanh are deprecated aliases: use torch.sigmoid / torch.tanh",
    docs="F.sigmoid(x) -> torch.sigmoid(x); F.tanh(x) -> torch.tanh(x)",
    safe=True,
    nodes=(ast.Attribute, ast.Name),
    hints=("sigmoid", "tanh"),
)
def f_sigmoid_tanh(node: ast.AST, ctx: Context) -> None:
    if not isinstance(getattr(node, "ctx", None), ast.Load):
        return
    name = _NAMES.get(ctx.qualname(node) or "")
    if name is None:
        return
    start, end = ctx.span(node)
    ctx.report(
        node, message="F.%s is a deprecated alias: use torch.%s" % (name, name), edits=[(start, end, ctx.torch(name))]
    )
