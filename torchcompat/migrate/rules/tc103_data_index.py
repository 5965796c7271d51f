"""TC103: ``loss.data[0]`` -> ``loss.item()`` (``tc.item(loss)`` with ``--portable``).

In 0.3 ``x.data[0]`` of a one-element tensor was the Python number; since 0.4 reductions are 0-dim
and indexing them raises (1.0+). Only the ``.data[0]`` idiom is rewritten, and only where its result is
not indexed, called or used as an attribute base further (``dataset.data[0].shape`` is left alone).
A bare ``x[0]`` is rewritten only where the data flow of its function proves ``x`` 0-dim: the accumulator
idiom ``total_loss = 0; total_loss += loss.data ... total_loss[0]`` (every binding a number or ``+= [k *]
loss.data``, ``loss`` a reduction: ``.sum()``/``.mean()``, ``criterion(...)`` with ``criterion = nn.XxxLoss()``,
``F.*_loss``, without ``reduction='none'``/``reduce=False``) -> ``total_loss.item()``; anything else is left."""

from __future__ import annotations

import ast
import re

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import zero_dim_accumulator
from torchcompat.migrate.rules._trace import item_from_trace, zero_dim
from torchcompat.shifts.autograd import AG_DATA_INDEX_0

_TAIL = re.compile(r"^([)\s]*)\.\s*data\s*\[\s*0\s*\]$")


def _zero_index(node: ast.Subscript) -> bool:
    index = node.slice
    if isinstance(index, ast.Index):  # Python 3.8
        index = index.value  # type: ignore[attr-defined]
    return isinstance(index, ast.Constant) and type(index.value) is int and index.value == 0


@rule(
    "TC103",
    record=AG_DATA_INDEX_0,
    name="data-index-0",
    message="x.data[0] on a 0-dim tensor raises IndexError since torch {removed}: use x.item()",
    docs="loss.data[0] -> loss.item() (--portable: tc.item(loss)); results used further "
    "(indexed, called, attribute) are left alone; total_loss += loss.data ... total_loss[0] -> total_loss.item() "
    "where loss is a 0-dim loss or reduction",
    safe=False,
    portable="adapter",
    nodes=(ast.Subscript,),
    hints=(".data",),
)
def data_index_0(node: ast.Subscript, ctx: Context) -> None:
    value = node.value
    if not isinstance(node.ctx, ast.Load) or not _zero_index(node):
        return
    seen = zero_dim(ctx, node)  # --trace: the run indexed a 0-dim tensor here (x[0] too, not only .data[0])
    if seen is not None:
        item_from_trace(ctx, node, seen)
        return
    parent = ctx.parent(node)
    if isinstance(parent, (ast.Subscript, ast.Attribute)) and getattr(parent, "value", None) is node:
        return
    if isinstance(parent, ast.Call) and parent.func is node:
        return
    if isinstance(value, ast.Name):
        if zero_dim_accumulator(ctx, value):  # total_loss += loss.data ... total_loss[0]
            start, end = ctx.span(node)
            text = "%s(%s)" % (ctx.tc("item"), value.id) if ctx.portable else value.id + ".item()"
            ctx.report(
                node,
                message="%s accumulates 0-dim loss.data (0-dim since torch {added}): %s[0] raises IndexError "
                "since torch {removed}; use %s.item()" % (value.id, value.id, value.id),
                edits=[(start, end, text)],
            )
        return
    if not (isinstance(value, ast.Attribute) and value.attr == "data"):
        return
    if ctx.qualname(value.value) is not None:
        return  # a module attribute, not a tensor
    start, end = ctx.span(node)
    base_end = ctx.end(value.value)
    tail = ctx.text[base_end:end]
    match = _TAIL.match(tail)
    if match is None:
        ctx.report(node)
        return
    closing = match.group(1)
    if ctx.portable:
        base = ctx.text[start:base_end] + closing.rstrip()
        if closing.strip() == ")" and base.startswith("("):
            base = base[1:-1]  # `(a * b).data[0]` -> `tc.item(a * b)`
        edits = [(start, end, "%s(%s)" % (ctx.tc("item"), base))]
    else:
        edits = [(base_end, end, closing.rstrip() + ".item()")]
    ctx.report(node, edits=edits)
