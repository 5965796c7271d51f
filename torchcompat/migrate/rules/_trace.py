"""Run-time evidence for rules (``torchcompat migrate --trace``): what the trace saw at a node, reduced to
the answer a rule needs. Each helper returns None when the trace has nothing at the node (no trace, a line
the run did not reach, or text already rewritten): the rule then decides as it would without a trace."""

from __future__ import annotations

import ast
import re
from typing import Any, Dict, List, Optional, Tuple

from torchcompat.migrate.context import Context, Finding
from torchcompat.migrate.trace import integral

__all__ = [
    "division",
    "zero_dim",
    "item_from_trace",
    "mask_dtype",
    "traced_softmax_dim",
    "iterated",
    "proven",
    "describe",
]


def describe(events: List[Dict[str, Any]]) -> str:
    """``"int64[8] / int, 3 times"``: the operands a run saw, for a finding's message."""
    seen = []
    for event in events[:3]:
        parts = []
        for op in event.get("operands", ()):
            if "dtype" in op:
                parts.append("%s%s" % (op["dtype"], op.get("shape", [])))
            else:
                parts.append(str(op.get("type")))
        seen.append(", ".join(parts))
    count = sum(int(e.get("count", 0)) for e in events)
    return "%s; %d time%s" % (" | ".join(seen), count, "" if count == 1 else "s")


def proven(finding: Finding) -> Finding:
    """Mark ``finding`` as fixed from trace evidence (the era gate lets it through)."""
    finding.evidence = "trace"
    return finding


def division(ctx: Context, node: ast.BinOp) -> Optional[Tuple[str, bool, List[Dict[str, Any]]]]:
    """``("int", any_negative, events)`` when every ``/`` the run did here had integer operands, ``"float"``
    when none had, ``"mixed"`` otherwise; None when the trace saw no ``/`` here."""
    events = ctx.seen(node, "div")
    if not events:
        return None
    kinds = set()
    for event in events:
        operands = event.get("operands") or []
        kinds.add(bool(operands) and all(integral(op) for op in operands))
    negative = any(bool(e.get("any_negative")) for e in events)
    if kinds == {True}:
        return ("int", negative, events)
    return ("float" if kinds == {False} else "mixed", negative, events)


def zero_dim(ctx: Context, node: ast.Subscript) -> Optional[Tuple[bool, List[Dict[str, Any]]]]:
    """``(requires_grad seen, events)`` when the run indexed a 0-dim tensor here with ``[0]``/``[-1]``."""
    events = ctx.seen(node, "index-0dim")
    if not events:
        return None
    grad = any(op.get("grad") for e in events for op in e.get("operands", ())[:1])
    return grad, events


def mask_dtype(ctx: Context, node: ast.AST, mask_position: int = 0) -> Optional[str]:
    """The dtype of the mask the run passed at ``node`` (a masked_* call or ``x[m]``): ``"uint8"``,
    ``"bool"``, ``"mixed"``; None when not seen."""
    if isinstance(node, ast.Subscript):
        return "uint8" if ctx.seen(node, "uint8-index") else None
    events = ctx.seen(node, "mask")
    dtypes = set()
    for event in events:
        operands = event.get("operands") or []
        if operands:
            dtypes.add(operands[0].get("dtype"))
    if not dtypes:
        return None
    return dtypes.pop() if len(dtypes) == 1 else "mixed"


def traced_softmax_dim(ctx: Context, node: ast.Call) -> Optional[Tuple[Optional[int], List[Dict[str, Any]]]]:
    """``(dim, events)``: the implicit dim of every call without ``dim`` the run made here (None when the
    ranks seen gave different dims); None when not seen."""
    events = ctx.seen(node, "softmax")
    if not events:
        return None
    dims = set()
    for event in events:
        shape = (event.get("operands") or [{}])[0].get("shape")
        if shape is None:
            return None
        dims.add(0 if len(shape) in (0, 1, 3) else 1)
    return (dims.pop() if len(dims) == 1 else None), events


def iterated(ctx: Context, loop: ast.AST) -> Optional[List[Dict[str, Any]]]:
    """The tensors the run iterated over in ``loop`` (a ``for`` or a comprehension's first ``for``)."""
    events = ctx.seen(loop, "iter") if isinstance(loop, ast.For) else []
    if isinstance(loop, ast.comprehension):
        parent = ctx.parent(loop)
        if parent is not None and getattr(parent, "generators", [None])[0] is loop:
            events = ctx.seen(parent, "iter")
    return events or None


_ITEM_TAIL = re.compile(r"^([)\s]*)(\.\s*data\s*)?\[\s*0\s*\]$")


def item_from_trace(ctx: Context, node: ast.Subscript, seen: Tuple[bool, List[Dict[str, Any]]]) -> None:
    """TC103's fix from evidence: ``x[0]`` / ``x.data[0]`` the run did on a 0-dim tensor -> ``x.item()``
    (``tc.item(x)``); a 0-dim tensor that requires grad (its ``[0]`` kept the graph) is only reported."""
    grad, events = seen
    what = describe(events)
    if grad:
        ctx.report(
            node,
            warning=True,
            message="[0] seen on a 0-dim tensor that requires grad in the trace (%s): use the tensor itself" % what,
        )
        return
    value = node.value
    base = value.value if isinstance(value, ast.Attribute) and value.attr == "data" else value
    start, end = ctx.span(node)
    base_end = ctx.end(base)
    match = _ITEM_TAIL.match(ctx.text[base_end:end])
    message = "[0] seen on a 0-dim tensor in the trace (%s): IndexError since torch {removed}; use .item()" % what
    if match is None or ctx.qualname(base) is not None:
        ctx.report(node, warning=True, message=message)
        return
    closing = match.group(1)
    if ctx.portable:
        text = ctx.text[start:base_end] + closing.rstrip()
        if closing.strip() == ")" and text.startswith("("):
            text = text[1:-1]  # `(a * b)[0]` -> `tc.item(a * b)`
        edits = [(start, end, "%s(%s)" % (ctx.tc("item"), text))]
    else:
        edits = [(base_end, end, closing.rstrip() + ".item()")]
    proven(ctx.report(node, message=message, edits=edits))
