"""TC302: ``size_average=`` / ``reduce=`` -> ``reduction=`` on losses (PR #8018, torch 0.4.1).

The legacy pair maps as torch's ``_Reduction.legacy_get_string`` does: ``reduce=False`` -> ``'none'``,
else ``size_average=False`` -> ``'sum'``, else ``'mean'`` (both default to True). Only literal
True/False values are rewritten; anything else is a warning."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import keyword
from torchcompat.shifts.nn import NN_REDUCTION_KWARG


def legacy_reduction(size_average: bool, reduce: bool) -> str:
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


@rule(
    "TC302",
    record=NN_REDUCTION_KWARG,
    name="reduction-kwarg",
    message="size_average= and reduce= are deprecated since torch {deprecated}: use reduction='mean'|'sum'|'none'",
    docs="nn.CrossEntropyLoss(size_average=False) -> reduction='sum'; F.mse_loss(a, b, reduce=False) -> "
    "reduction='none'",
    safe=True,
    nodes=(ast.Call,),
    hints=("size_average", "reduce"),
)
def reduction(node: ast.Call, ctx: Context) -> None:
    sa = keyword(node, "size_average")
    rd = keyword(node, "reduce")
    if sa is None and rd is None:
        return
    qual = ctx.qualname(node.func)
    if qual is None or not (qual.startswith("torch.nn.") or qual.startswith("torch.nn.functional.")):
        return
    values = []
    for kw in (sa, rd):
        if kw is None:
            values.append(True)
        elif isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, bool):
            values.append(kw.value.value)
        elif isinstance(kw.value, ast.Constant) and kw.value.value is None:
            values.append(True)
        else:
            values.append(None)
    if None in values or keyword(node, "reduction") is not None:
        ctx.report(node, warning=True)
        return
    text = "reduction=%r" % legacy_reduction(values[0], values[1])
    first, second = (sa, rd) if sa is not None else (rd, None)
    if first is not None and second is not None and ctx._arg_start(node, second) < ctx._arg_start(node, first):
        first, second = second, first
    span = ctx.keyword_span(node, first)
    if span is None:
        ctx.report(node)
        return
    edits = [(span[0], span[1], text)]
    if second is not None:
        removal = ctx.remove_argument(node, second)
        if removal is None:
            ctx.report(node)
            return
        edits.append(removal)
    ctx.report(node, message="%s: %s" % (rule_message(values), text), edits=edits)


def rule_message(values: list) -> str:
    return "size_average=%s, reduce=%s are deprecated since torch {deprecated}" % (values[0], values[1])
