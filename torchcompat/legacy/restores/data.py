"""Data restores: ``torch._six``, the old private names of ``torch.utils.data.dataloader`` and
``TensorDataset(data_tensor=, target_tensor=)``."""

from __future__ import annotations

import builtins
import collections.abc
import functools
import io
import math
import queue
import sys
import types
from typing import Any, Callable, Dict

from torchcompat.legacy.engine import note
from torchcompat.legacy.face import ADD, MODULE, WRAP, Restore, attach
from torchcompat.shifts.data import DATA_PRIVATE_HELPERS, DATA_TENSORDATASET_KWARGS
from torchcompat.shifts.six import SIX_CONTAINER_ABCS, SIX_MODULE


def _with_metaclass(meta: Any, *bases: Any) -> Any:
    """``class C(with_metaclass(Meta, Base))``, as in six."""

    class metaclass(meta):
        def __new__(cls: Any, name: str, this_bases: Any, d: Any) -> Any:
            return meta(name, bases, d)

    return type.__new__(metaclass, "temporary_class", (), {})


def _raise_from(value: BaseException, from_value: Any) -> None:
    raise value from from_value


def _istuple(obj: Any) -> bool:
    return isinstance(obj, tuple) or (hasattr(obj, "_fields") and isinstance(obj, tuple))


def _get_function_from_type(cls: Any, name: str) -> Any:
    return getattr(cls, name, None)


def _bind_method(fn: Any, obj: Any, obj_type: Any) -> Any:
    return types.MethodType(fn, obj)


def six_names() -> Dict[str, Any]:
    """What ``torch._six`` offered on 1.0–1.13, for Python 3."""
    return {
        "PY2": False,
        "PY3": True,
        "PY37": sys.version_info >= (3, 7),
        "string_classes": (str, bytes),
        "int_classes": int,
        "container_abcs": collections.abc,
        "inf": math.inf,
        "nan": math.nan,
        "FileNotFoundError": FileNotFoundError,
        "builtins": builtins,
        "queue": queue,
        "StringIO": io.StringIO,
        "imap": map,
        "istuple": _istuple,
        "with_metaclass": _with_metaclass,
        "raise_from": _raise_from,
        "get_function_from_type": _get_function_from_type,
        "bind_method": _bind_method,
        "math": math,
        "sys": sys,
        "collections": collections,
    }


def _lazy_getattr(module_name: str, names: Callable[[], Dict[str, Any]], restore: str) -> Any:
    table: Dict[str, Any] = {}

    def __getattr__(name: str) -> Any:
        if not table:
            table.update(names())
        try:
            value = table[name]
        except KeyError:
            raise AttributeError("module %r has no attribute %r" % (module_name, name)) from None
        note(restore, "%s.%s is restored; write %s" % (module_name, name, _SPELLING.get(name, "the modern name")), 1)
        return value

    return __getattr__


_SPELLING = {
    "string_classes": "str",
    "int_classes": "int",
    "container_abcs": "collections.abc",
    "inf": "math.inf",
    "nan": "math.nan",
    "PY3": "True",
    "numpy_type_map": "a local dict",
    "default_collate": "torch.utils.data.default_collate",
}


def _six_module(env: Any, era: str, original: Any) -> Any:
    name = env.torch.__name__ + "._six"
    module = types.ModuleType(name, "torch._six, restored by torchcompat.legacy (removed in torch 2.0).")
    module.__getattr__ = _lazy_getattr(name, six_names, "torch._six")  # type: ignore[attr-defined]
    module.__dir__ = lambda: sorted(six_names())  # type: ignore[attr-defined]
    return module


attach(
    SIX_MODULE,
    Restore(
        "_six",
        _six_module,
        MODULE,
        name="torch._six",
        summary="torch._six (string_classes, int_classes, container_abcs, inf, PY3 ...)",
    ),
)


def _six_getattr(env: Any, era: str, original: Any) -> Any:
    module = env.get("_six")
    present = set(vars(module))
    return _lazy_getattr(
        module.__name__, lambda: {k: v for k, v in six_names().items() if k not in present}, "torch._six-names"
    )


def _six_lacks_names(env: Any) -> bool:
    """torch._six is there (1.x) but without the names 1.9 removed (container_abcs, int_classes ...)."""
    return env.has("_six") and not env.has("_six.container_abcs")


attach(
    SIX_CONTAINER_ABCS,
    Restore(
        "_six.__getattr__",
        _six_getattr,
        ADD,
        name="torch._six-names",
        needed=_six_lacks_names,
        summary="torch._six.container_abcs, int_classes, string_classes ... on the 1.9-1.13 torch._six",
    ),
)


def dataloader_names(torch: Any) -> Dict[str, Any]:
    """The private names old code imported from ``torch.utils.data.dataloader`` (1.0)."""
    names: Dict[str, Any] = {
        "string_classes": (str, bytes),
        "int_classes": int,
        "container_abcs": collections.abc,
        "_use_shared_memory": False,
        "numpy_type_map": {
            "float64": torch.DoubleTensor,
            "float32": torch.FloatTensor,
            "float16": torch.HalfTensor,
            "int64": torch.LongTensor,
            "int32": torch.IntTensor,
            "int16": torch.ShortTensor,
            "int8": torch.CharTensor,
            "uint8": torch.ByteTensor,
        },
    }
    return names


def _dataloader_getattr(env: Any, era: str, original: Any) -> Any:
    module = env.get("utils.data.dataloader")
    present = set(vars(module))
    return _lazy_getattr(
        module.__name__,
        lambda: {k: v for k, v in dataloader_names(env.torch).items() if k not in present},
        "dataloader-private-names",
    )


attach(
    DATA_PRIVATE_HELPERS,
    Restore(
        "utils.data.dataloader.__getattr__",
        _dataloader_getattr,
        ADD,
        name="dataloader-private-names",
        needed=lambda env: not env.has("utils.data.dataloader.numpy_type_map"),
        summary="torch.utils.data.dataloader.string_classes, int_classes, numpy_type_map, _use_shared_memory",
        until=None,  # every era (a 1.1+ torch that lacks the names gets them back regardless of era)
    ),
)


def _tensordataset_init(env: Any, era: str, original: Any) -> Any:
    @functools.wraps(original)
    def __init__(self: Any, *tensors: Any, **kwargs: Any) -> None:
        if "data_tensor" in kwargs or "target_tensor" in kwargs:
            note("tensordataset-kwargs", "TensorDataset(data_tensor=x, target_tensor=y) is TensorDataset(x, y)", 1)
            extra = tuple(kwargs.pop(k) for k in ("data_tensor", "target_tensor") if k in kwargs)
            tensors = tensors + extra
        original(self, *tensors, **kwargs)

    return __init__


attach(
    DATA_TENSORDATASET_KWARGS,
    Restore(
        "utils.data.TensorDataset.__init__",
        _tensordataset_init,
        WRAP,
        name="tensordataset-kwargs",
        needed=lambda env: not env.accepts("utils.data.TensorDataset", "data_tensor"),
        summary="TensorDataset(data_tensor=x, target_tensor=y)",
        until=None,  # every era (the keywords only ever add, never change, a call)
    ),
)
