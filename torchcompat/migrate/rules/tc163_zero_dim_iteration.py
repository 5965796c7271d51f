"""TC163: ``for i in torch.arange(n)`` (``randperm``, ``range``): the loop variable is a 0-dim tensor since 0.4, not an
int. Warning only: iterate over ``.tolist()`` where ints are meant. With ``--trace``: a loop the run made over
a 0-dim tensor (a TypeError since 0.4) is reported wherever it is, and the tensors seen are named."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._trace import describe, iterated
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
    events = iterated(ctx, node)
    if events and any((e.get("operands") or [{}])[0].get("shape") == [] for e in events):
        message = "iteration over a 0-dim tensor seen in the trace (%s): a TypeError since torch {removed}" % (
            describe(events)
        )
        ctx.report(it, warning=True, message=message)
        return
    if isinstance(it, ast.Call) and ctx.qualname(it.func) in ("torch.arange", "torch.randperm", "torch.range"):
        ctx.report(
            it, warning=True, message=None if not events else ctx.rule.message + " (seen: %s)" % describe(events)
        )
