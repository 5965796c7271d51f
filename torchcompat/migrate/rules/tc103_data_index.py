"""TC103: ``loss.data[0]`` -> ``loss.item()`` (``tc.item(loss)`` with ``--portable``).

In 0.3 ``x.data[0]`` of a one-element tensor was the Python number; since 0.4 reductions are 0-dim
and indexing them raises (1.0+). Only the ``.data[0]`` idiom is rewritten, and only where its result is
not indexed, called or used as an attribute base further (``dataset.data[0].shape`` is left alone).
A bare ``x[0]`` is never rewritten: the tool cannot prove ``x`` is 0-dim."""

from __future__ import annotations

import ast
import re

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
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
    "(indexed, called, attribute) are left alone",
    safe=False,
    portable="adapter",
    nodes=(ast.Subscript,),
    hints=(".data",),
)
def data_index_0(node: ast.Subscript, ctx: Context) -> None:
    value = node.value
    if not (isinstance(value, ast.Attribute) and value.attr == "data" and isinstance(node.ctx, ast.Load)):
        return
    if not _zero_index(node):
        return
    parent = ctx.parent(node)
    if isinstance(parent, (ast.Subscript, ast.Attribute)) and getattr(parent, "value", None) is node:
        return
    if isinstance(parent, ast.Call) and parent.func is node:
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
