"""torch._six and its contents.

Records generated from the shift catalogue; adapters, probes and notes are added beside them."""

from __future__ import annotations

import builtins
import collections.abc
import io
import math
import queue
import sys
import types
from typing import Any, Callable, Dict, Optional, Tuple

from torchcompat.probe import MISSING
from torchcompat.registry import Resolution, backport, declare, native

shift = declare("six")

SIX_CONTAINER_ABCS = shift(
    "six-container-abcs",
    "from torch._six import container_abcs, int_classes, string_classes → collections.abc, int, str",
    old="`from torch._six import container_abcs, int_classes, string_classes, PY3`",
    new="`collections.abc`, `int`, `str`",
    removed="1.8",
    strategy="legacy-restore",
    verified=False,
    notes="removed: ~1.8 (`container_abcs`/`int_classes`; the apex patch gates on <1.8) ?. How common: VH (12/12)",
    kind="spelling",
)

SIX_MODULE = shift(
    "six-module",
    "torch._six (removed in 2.0) → math.inf, str, collections.abc",
    old="`from torch._six import inf, string_classes`",
    new="`math.inf` / `torch.inf`, `str`",
    removed="2.0",
    link="https://github.com/pytorch/pytorch/pull/94709",
    strategy="legacy-restore",
    notes="removed: 2.0 (module deleted, PR #94709). How common: VH (same sample)",
    kind="spelling",
)


# -- adapters: tc.six.<name> --------------------------------------------------------------------
# ``torch._six`` was torch's private Python 2/3 shim; it lost ``container_abcs``/``int_classes`` after 1.8 and
# was deleted in 2.0 (https://github.com/pytorch/pytorch/pull/94709). ``tc.six`` holds what it held, on every
# release: torch's own object where ``torch._six`` still has the name, the Python 3 equivalent elsewhere.
# Remove when torch >= 2.0 is the oldest supported (then point users at the stdlib names).


def _istuple(obj: Any) -> bool:
    """``torch._six.istuple``: a tuple, or a structseq returned by a torch operator.
    torch._six went in 2.0 (https://github.com/pytorch/pytorch/pull/94709); remove with tc.six."""
    return isinstance(obj, tuple) or type(obj).__module__ == "torch.return_types"


def _bind_method(fn: Any, obj: Any, obj_type: Any) -> Any:
    """``torch._six.bind_method``: ``fn`` bound to ``obj`` (``obj_type`` is ignored on Python 3).
    torch._six went in 2.0 (https://github.com/pytorch/pytorch/pull/94709); remove with tc.six."""
    return types.MethodType(fn, obj)


def _get_function_from_type(cls: Any, name: str) -> Any:
    """``torch._six.get_function_from_type``: the attribute ``name`` of ``cls``, or None.
    torch._six went in 2.0 (https://github.com/pytorch/pytorch/pull/94709); remove with tc.six."""
    return getattr(cls, name, None)


def _raise_from(value: BaseException, from_value: Optional[BaseException]) -> None:
    """``torch._six.raise_from``: ``raise value from from_value``.
    torch._six went in 2.0 (https://github.com/pytorch/pytorch/pull/94709); remove with tc.six."""
    raise value from from_value


def _with_metaclass(meta: type, *bases: type) -> type:
    """``torch._six.with_metaclass``: a temporary base whose subclasses are created by ``meta``.
    torch._six went in 2.0 (https://github.com/pytorch/pytorch/pull/94709); remove with tc.six."""

    class _Meta(meta):  # type: ignore[misc, valid-type]
        def __new__(cls, name: str, this_bases: Any, namespace: Dict[str, Any]) -> Any:
            return meta(name, bases, namespace)

        @classmethod
        def __prepare__(cls, name: str, this_bases: Any) -> Any:  # type: ignore[override]
            return meta.__prepare__(name, bases)

    return type.__new__(_Meta, "temporary_class", (), {})


#: name -> (record, Python 3 equivalent). Values are built lazily so nothing here imports torch.
_SIX_NAMES: Dict[str, Tuple[Any, Callable[[], Any]]] = {
    "string_classes": (SIX_MODULE, lambda: (str, bytes)),
    "int_classes": (SIX_CONTAINER_ABCS, lambda: int),
    "container_abcs": (SIX_CONTAINER_ABCS, lambda: collections.abc),
    "inf": (SIX_MODULE, lambda: math.inf),
    "nan": (SIX_MODULE, lambda: math.nan),
    "PY2": (SIX_CONTAINER_ABCS, lambda: False),
    "PY3": (SIX_CONTAINER_ABCS, lambda: True),
    "PY37": (SIX_CONTAINER_ABCS, lambda: sys.version_info >= (3, 7)),
    "istuple": (SIX_MODULE, lambda: _istuple),
    "FileNotFoundError": (SIX_MODULE, lambda: FileNotFoundError),
    "StringIO": (SIX_MODULE, lambda: io.StringIO),
    "builtins": (SIX_MODULE, lambda: builtins),
    "queue": (SIX_MODULE, lambda: queue),
    "imap": (SIX_MODULE, lambda: map),
    "exec_": (SIX_MODULE, lambda: builtins.exec),
    "raise_from": (SIX_MODULE, lambda: _raise_from),
    "with_metaclass": (SIX_MODULE, lambda: _with_metaclass),
    "get_function_from_type": (SIX_MODULE, lambda: _get_function_from_type),
    "bind_method": (SIX_MODULE, lambda: _bind_method),
}


def _six_resolver(name: str, equivalent: Callable[[], Any]) -> Callable[[Any], Resolution]:
    def resolve(env: Any) -> Resolution:
        obj = env.get("_six." + name)
        if obj is not MISSING:
            return native(obj, "torch._six.%s" % name)
        return backport(equivalent(), "torch._six has no %s here; the Python 3 equivalent" % name)

    resolve.__name__ = "_six_" + name
    return resolve


for _name, (_record, _equivalent) in _SIX_NAMES.items():
    _record.adapter("six." + _name)(_six_resolver(_name, _equivalent))
