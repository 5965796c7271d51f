"""TC301: ``F.softmax(x)`` without ``dim`` -> ``F.softmax(x, dim=N)``, with the legacy implicit choice.

torch chose ``dim = 0 if x.ndim in (0, 1, 3) else 1`` (``torch.nn.functional._get_softmax_dim``) and
warns. The tool writes that choice only where it can prove ``x.ndim`` from the expression
(``x.view(a, b)``, ``x.reshape(-1)``, ``torch.randn(2, 3)``); elsewhere, and for the ``nn.Softmax()``
modules, a warning. With ``--trace``, the rank of every input the run passed there gives the dim. The rewrite
writes the dim torch picks on every release (the implicit choice never changed, only warns): it passes the
era gate (``evidence="exact"``) and rewrites 0.3/0.4 code, whose era does not predate the record's 0.3."""

from __future__ import annotations

import ast
from typing import Optional

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import int_value, keyword
from torchcompat.migrate.rules._trace import describe, proven, traced_softmax_dim
from torchcompat.shifts.nn import NN_SOFTMAX_IMPLICIT_DIM

_FUNCS = {
    "torch.nn.functional.softmax",
    "torch.nn.functional.log_softmax",
    "torch.nn.functional.softmin",
    "torch.softmax",
    "torch.log_softmax",
}
_MODULES = {"torch.nn.Softmax", "torch.nn.LogSoftmax", "torch.nn.Softmin"}
_SHAPE_METHODS = {"view", "reshape", "expand", "new_zeros", "new_ones", "new_empty"}
_FACTORIES = {
    "torch.randn",
    "torch.rand",
    "torch.zeros",
    "torch.ones",
    "torch.empty",
    "torch.Tensor",
    "torch.FloatTensor",
    "torch.DoubleTensor",
}


def _size_rank(args: list) -> Optional[int]:
    """Number of dims a ``(*sizes)`` argument list gives, when every size is an int literal-ish."""
    if len(args) == 1 and isinstance(args[0], (ast.Tuple, ast.List)):
        args = args[0].elts
    if not args or any(isinstance(a, ast.Starred) for a in args):
        return None
    if len(args) == 1 and int_value(args[0]) is None:
        return None  # `x.view(shape)`: a tuple held in a name
    return len(args)


def known_ndim(ctx: Context, node: ast.AST) -> Optional[int]:
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute) and node.func.attr in _SHAPE_METHODS and not node.keywords:
            return _size_rank(node.args)
        if ctx.qualname(node.func) in _FACTORIES and not any(k.arg in ("size", "out") for k in node.keywords):
            return _size_rank(node.args)
    return None


@rule(
    "TC301",
    record=NN_SOFTMAX_IMPLICIT_DIM,
    name="softmax-implicit-dim",
    message="softmax without dim= uses a deprecated implicit choice (0 for 0-, 1- and 3-D inputs, else 1)",
    docs="F.softmax(x) -> F.softmax(x, dim=N) where x.ndim is known from the expression; else a warning",
    safe=True,
    nodes=(ast.Call,),
    hints=("*softmax", "*Softmax", "softmin", "Softmin"),
)
def softmax_dim(node: ast.Call, ctx: Context) -> None:
    qual = ctx.qualname(node.func)
    if qual in _MODULES:
        if not node.args and keyword(node, "dim") is None and not any(k.arg is None for k in node.keywords):
            ctx.report(
                node,
                warning=True,
                message="%s() without dim= picks the dimension from the input's "
                "rank (0 for 0-, 1- and 3-D inputs, else 1): pass dim= explicitly" % qual.rsplit(".", 1)[1],
            )
        return
    if qual not in _FUNCS or not node.args or len(node.args) > 1 or keyword(node, "dim") is not None:
        return
    if any(k.arg is None for k in node.keywords) or isinstance(node.args[0], ast.Starred):
        return
    ndim = known_ndim(ctx, node.args[0])
    seen = traced_softmax_dim(ctx, node) if ndim is None else None
    if seen is not None and seen[0] is not None:
        message = "%s without dim= on inputs seen in the trace (%s): dim=%d" % (
            qual.rsplit(".", 1)[1],
            describe(seen[1]),
            seen[0],
        )
        proven(ctx.report(node, message=message, edits=[ctx.append_arguments(node, "dim=%d" % seen[0])]))
        return
    if ndim is None:
        ctx.report(
            node,
            warning=True,
            message="%s without dim=: the implicit choice is 0 for 0-, 1- and 3-D "
            "inputs, else 1; pass dim= explicitly" % qual.rsplit(".", 1)[1],
        )
        return
    dim = 0 if ndim in (0, 1, 3) else 1
    found = ctx.report(
        node,
        message="%s without dim= on a %d-D input: dim=%d" % (qual.rsplit(".", 1)[1], ndim, dim),
        edits=[ctx.append_arguments(node, "dim=%d" % dim)],
    )
    # The dim every release picks for this rank (0.3's _get_softmax_dim, today's, and the THNN kernels of
    # 0.2, which took 1-D and 3-D inputs along dim 0, 2-D and 4-D along dim 1): the same meaning on every
    # release, so the era gate does not hold it back.
    found.evidence = "exact"
