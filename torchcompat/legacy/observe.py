"""Observers of meaning-changed operations, installed only while ``torchcompat run --trace`` records.

Unlike a restore, an observer changes nothing: it looks at the operands, tells the tracer what it saw
(``/`` on tensors and their dtypes, ``F.softmax`` without ``dim`` and the implicit dim, ``x[0]`` on a 0-dim
tensor, a uint8 mask or index, iteration over a tensor) and calls what was there before: torch's object,
or a restore's wrapper. Observers are applied and undone through the engine's own change records
(:func:`install` / :func:`uninstall`, last in first out), so the objects torch had are put back exactly.
"""

from __future__ import annotations

import functools
import sys
from typing import Any, Callable, List, Optional, Tuple

from torchcompat.legacy import engine
from torchcompat.legacy.restores.nn import implicit_dim

__all__ = ["install", "uninstall", "TARGETS"]

#: What an inspector returns: (kind, operands, detail) or None when there is nothing to record.
Seen = Optional[Tuple[str, tuple, Optional[dict]]]
Inspector = Callable[[Any, tuple, dict], Seen]


def _div(torch: Any, args: tuple, kwargs: dict) -> Seen:
    if len(args) < 2 or kwargs.get("rounding_mode") is not None:
        return None
    a, b = args[0], args[1]
    if not (isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor)):
        return None
    return ("div", (a, b), None)


def _rdiv(torch: Any, args: tuple, kwargs: dict) -> Seen:
    found = _div(torch, args, kwargs)
    return None if found is None else ("div", (args[1], args[0]), None)


def _softmax(torch: Any, args: tuple, kwargs: dict) -> Seen:
    if not args or (len(args) > 1 and args[1] is not None) or kwargs.get("dim") is not None:
        return None
    x = args[0]
    if not isinstance(x, torch.Tensor):
        return None
    return ("softmax-implicit", (x,), {"ndim": x.dim(), "dim": implicit_dim(x.dim())})


def _getitem(torch: Any, args: tuple, kwargs: dict) -> Seen:
    if len(args) != 2:
        return None
    x, index = args
    if index.__class__ is int and x.dim() == 0:
        return ("index-0dim", (x,), {"index": index})
    if isinstance(index, torch.Tensor) and index.dtype is torch.uint8:
        return ("uint8-index", (x, index), None)
    return None


def _iter(torch: Any, args: tuple, kwargs: dict) -> Seen:
    x = args[0] if args else None
    if not isinstance(x, torch.Tensor):
        return None
    return ("iter", (x,), None)


def _mask(position: int) -> Inspector:
    def inspect(torch: Any, args: tuple, kwargs: dict) -> Seen:
        mask = args[position] if len(args) > position else kwargs.get("mask")
        if isinstance(mask, torch.Tensor) and mask.dtype in (torch.uint8, getattr(torch, "bool", None)):
            return ("mask", (mask,), None)
        return None

    return inspect


#: (target under torch, inspector): the operations whose meaning changed and that a run can observe.
TARGETS: Tuple[Tuple[str, Inspector], ...] = (
    ("Tensor.__truediv__", _div),
    ("Tensor.__div__", _div),
    ("Tensor.__itruediv__", _div),
    ("Tensor.__idiv__", _div),
    ("Tensor.__rtruediv__", _rdiv),
    ("Tensor.__rdiv__", _rdiv),
    ("Tensor.div", _div),
    ("Tensor.div_", _div),
    ("div", _div),
    ("nn.functional.softmax", _softmax),
    ("nn.functional.log_softmax", _softmax),
    ("nn.functional.softmin", _softmax),
    ("Tensor.__getitem__", _getitem),
    ("Tensor.__iter__", _iter),
    ("Tensor.masked_fill", _mask(1)),
    ("Tensor.masked_fill_", _mask(1)),
    ("Tensor.masked_select", _mask(1)),
    ("Tensor.masked_scatter", _mask(1)),
    ("Tensor.masked_scatter_", _mask(1)),
    ("masked_select", _mask(1)),
    ("where", _mask(0)),
)


def _observer(torch: Any, tracer: Any, inspect: Inspector, original: Any) -> Any:
    @functools.wraps(original)
    def observed(*args: Any, **kwargs: Any) -> Any:
        try:
            seen = inspect(torch, args, kwargs)
        except Exception:  # an operand the inspector did not foresee: torch's own call decides
            seen = None
        if seen is not None:
            tracer.record(seen[0], sys._getframe(1), seen[1], seen[2])
        return original(*args, **kwargs)

    observed.__tc_observer__ = True  # type: ignore[attr-defined]
    return observed


def install(torch: Any, tracer: Any) -> List[Any]:
    """Put an observer on every target this torch has; returns the engine change records to undo."""
    from torchcompat.probe import MISSING, TorchEnv

    env = TorchEnv.of(torch)
    changes: List[Any] = []
    for target, inspect in TARGETS:
        owner_path, _, attr = target.rpartition(".")
        owner = torch if not owner_path else env.get(owner_path)
        if owner is MISSING or owner is None:
            continue
        current = getattr(owner, attr, None)
        if current is None or not callable(current):
            continue
        raw = vars(owner).get(attr, _MISSING) if hasattr(owner, "__dict__") else _MISSING
        change = engine._Change("trace:" + target, "", owner, attr, raw is not _MISSING, raw, None)
        change.new = _observer(torch, tracer, inspect, current)
        engine._apply(change)
        changes.append(change)
    return changes


def uninstall(changes: List[Any]) -> None:
    """Undo :func:`install`, last first; an attribute someone else replaced since is left as it is."""
    for change in reversed(changes):
        owner, attr = change.owner, change.attr
        if not hasattr(owner, "__dict__") or vars(owner).get(attr) is not change.new:
            continue
        slot = engine._sq_item_slot(owner) if attr == "__getitem__" else None
        keep_non_sequence = slot is not None and not slot.value
        engine._undo(change)
        if keep_non_sequence and change.had:  # a restore's __getitem__ is back: keep Tensor a non-sequence
            slot = engine._sq_item_slot(owner)
            if slot is not None:
                slot.value = None


_MISSING = object()
