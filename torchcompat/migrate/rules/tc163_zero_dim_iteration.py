"""TC163: ``for i in torch.arange(n)`` (``randperm``, ``range``): the loop variable is a 0-dim tensor since 0.4, not an
int. Warning only: iterate over ``.tolist()`` where ints are meant."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.shifts.autograd import AG_ZERO_DIM_ITERATION


@rule(
    "TC163",
    record=AG_ZERO_DIM_ITERATION,
    name="zero-dim-iteration",
    message="iterating a tensor gives 0-dim tensors since torch {removed}, not Python numbers: iterate over "
    ".tolist() where ints are meant",
    docs="for i in torch.arange(n): -> warning (for i in torch.arange(n).tolist() where ints are meant)",
    safe=False,
    fixable=False,
    nodes=(ast.For, ast.comprehension),
    hints=("arange", "randperm", "range"),
)
def zero_dim_iteration(node: ast.AST, ctx: Context) -> None:
    it = node.iter  # type: ignore[attr-defined]
    if isinstance(it, ast.Call) and ctx.qualname(it.func) in ("torch.arange", "torch.randperm", "torch.range"):
        ctx.report(it, warning=True)
