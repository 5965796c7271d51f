"""TC233: ``x.T`` where ``x`` provably has ndim != 2 (a ``torch.zeros/ones/rand/randn/empty`` call with literal sizes,
or a name assigned once from one): deprecated since 1.11. Fix: the exact reversal, ``x.permute(k-1, ..., 0)``."""

from __future__ import annotations

import ast
from typing import Optional

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import receiver_text
from torchcompat.migrate.rules._queries import single_assignment
from torchcompat.shifts.tensor import T_T_ND

_SHAPED = ("torch.zeros", "torch.ones", "torch.rand", "torch.randn", "torch.empty")


def _ndim(ctx: Context, node: ast.AST, depth: int = 0) -> Optional[int]:
    if depth > 3:
        return None
    if isinstance(node, ast.Name):
        value = single_assignment(ctx, node)
        return _ndim(ctx, value, depth + 1) if value is not None else None
    if not isinstance(node, ast.Call) or ctx.qualname(node.func) not in _SHAPED:
        return None
    if any(k.arg in (None, "size", "out") for k in node.keywords):
        return None
    args = node.args
    if len(args) == 1 and isinstance(args[0], (ast.Tuple, ast.List)):
        args = args[0].elts
    if not args or not all(isinstance(a, ast.Constant) and type(a.value) is int for a in args):
        return None
    return len(args)


@rule(
    "TC233",
    record=T_T_ND,
    emits=(),
    name="T-nd",
    message="x.T on a tensor with ndim != 2 is deprecated since torch {deprecated}: write the permutation "
    "(or x.mT for a batch of matrices)",
    docs="x.T (ndim k != 2) -> x.permute(k-1, ..., 0)",
    safe=True,
    nodes=(ast.Attribute,),
    hints=(".T", ". T"),  # the attribute access (a bare "T" is in nearly every file)
)
def T_nd(node: ast.Attribute, ctx: Context) -> None:
    if node.attr != "T" or not isinstance(node.ctx, ast.Load) or ctx.qualname(node) is not None:
        return
    k = _ndim(ctx, node.value)
    if k is None or k == 2:
        return
    start, end = ctx.span(node)
    dims = ", ".join(str(i) for i in range(k - 1, -1, -1))
    ctx.report(node, edits=[(start, end, "%s.permute(%s)" % (receiver_text(ctx, node.value), dims))])
