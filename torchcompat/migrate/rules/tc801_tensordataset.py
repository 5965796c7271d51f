"""TC801: ``TensorDataset(data_tensor=a, target_tensor=b)`` -> ``TensorDataset(a, b)`` (torch 0.4 takes
``*tensors``; positional arguments work on every release)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import keyword
from torchcompat.shifts.data import DATA_TENSORDATASET_KWARGS


@rule(
    "TC801",
    record=DATA_TENSORDATASET_KWARGS,
    name="tensordataset-kwargs",
    message="TensorDataset(data_tensor=, target_tensor=) was removed in torch {removed}: pass the tensors positionally",
    docs="TensorDataset(data_tensor=x, target_tensor=y) -> TensorDataset(x, y)",
    safe=True,
    nodes=(ast.Call,),
    hints=("data_tensor", "target_tensor"),
)
def tensordataset(node: ast.Call, ctx: Context) -> None:
    data = keyword(node, "data_tensor")
    target = keyword(node, "target_tensor")
    if data is None and target is None:
        return
    if ctx.qualname(node.func) != "torch.utils.data.TensorDataset":
        return
    if node.args or len(node.keywords) != (data is not None) + (target is not None):
        ctx.report(node)
        return
    parts = [ctx.source(kw.value) for kw in (data, target) if kw is not None]
    open_paren = ctx.text.index("(", ctx.end(node.func))
    close_paren = ctx.end(node) - 1
    ctx.report(node, edits=[(open_paren + 1, close_paren, ", ".join(parts))])
