"""The default allowlist of the restricted unpickler: torch's own names, wrapped where the call needs checking.

:func:`_torch_allowlist` builds it for one torch module: storage classes and dtypes may be named, a few
containers and ``torch.Size``/``torch.device`` called, and torch's ``_rebuild_*`` functions resolve to wrappers
that check the storage type, the bounds of the view, empty backward hooks and the target of
``_rebuild_from_type_v2`` before calling torch's own.
"""

from __future__ import annotations

import builtins
import collections
from typing import Any, Callable, Dict, Optional, Tuple

from torchcompat.shifts.serialization._policy import (
    _NOT_CALLABLE_BUILTINS,
    _SAFE_BUILTINS,
    _refuse,
    qualified_name,
)


class _Allowlist:
    """Names a file may use: ``objects`` may be named (storage classes, dtypes), ``callables`` may be
    called by REDUCE/NEWOBJ; ``user_types`` are the user's allowlisted classes (BUILD/SETITEMS allowed)."""

    def __init__(self) -> None:
        self.objects: Dict[str, Any] = {}
        self.callables: Dict[str, Any] = {}
        self.user_types: Tuple[type, ...] = ()


def _ints(value: Any, what: str) -> Tuple[int, ...]:
    if not isinstance(value, (tuple, list)) or not all(type(v) is int for v in value):
        raise _refuse("%s must be a tuple of ints, got %r" % (what, type(value).__name__))
    return tuple(value)


def _torch_allowlist(torch: Any, record_sizes: Optional[Dict[str, int]]) -> _Allowlist:
    """The default allowlist for ``torch``: tensors, storages, primitive containers, OrderedDict."""
    allow = _Allowlist()
    storage_types = []
    for name in dir(torch):
        obj = getattr(torch, name, None)
        if name.endswith("Storage") and isinstance(obj, type):
            allow.objects["torch." + name] = obj
        elif any(isinstance(obj, t) for t in _torch_enum_types(torch)):
            allow.objects["torch." + name] = obj  # dtypes, layouts, memory formats, qschemes
    for base in ("_StorageBase", "TypedStorage", "UntypedStorage", "_TypedStorage", "_UntypedStorage"):
        obj = getattr(getattr(torch, "storage", None), base, None)
        if isinstance(obj, type):
            storage_types.append(obj)  # bases only: isinstance on torch.FloatStorage warns on 2.x
    storage_types_t = tuple(storage_types)
    allow.objects["builtins.object"] = object
    for name in _SAFE_BUILTINS:
        if name not in _NOT_CALLABLE_BUILTINS and name != "bytes":
            allow.callables["builtins." + name] = getattr(builtins, name)
    allow.callables["collections.OrderedDict"] = collections.OrderedDict
    allow.callables["torch.Size"] = torch.Size
    allow.callables["torch.device"] = torch.device
    # named (never called) as _rebuild_from_type_v2's target type
    allow.objects["torch.Tensor"] = torch.Tensor
    allow.objects["torch._tensor.Tensor"] = torch.Tensor
    allow.objects["torch.nn.parameter.Parameter"] = torch.nn.Parameter

    def bytes_(*args: Any) -> bytes:
        if args not in ((), (b"",)):
            raise _refuse("builtins.bytes may only be called without arguments (protocol 2 empty bytes)")
        return b""

    def encode(text: Any, encoding: Any = "utf-8") -> bytes:
        if type(text) is not str or encoding not in ("latin1", "latin-1"):
            raise _refuse("_codecs.encode is only allowed as pickle's bytes encoding (str, 'latin1')")
        return text.encode("latin1")

    allow.callables["builtins.bytes"] = bytes_
    allow.callables["_codecs.encode"] = encode

    utils = torch._utils
    tensor_type = torch.Tensor
    parameter = torch.nn.Parameter

    def storage_size(storage: Any) -> int:
        size = storage._size() if hasattr(storage, "_size") else storage.size()  # 2.x: size() warns
        return int(size)

    def check_view(storage: Any, offset: Any, size: Any, stride: Any) -> None:
        if not isinstance(storage, storage_types_t):
            raise _refuse("a tensor rebuild function got a %s where a torch storage belongs" % type(storage).__name__)
        if type(offset) is not int or offset < 0:
            raise _refuse("storage offset must be a non-negative int")
        size = _ints(size, "tensor size")
        stride = _ints(stride, "tensor stride")
        if len(size) != len(stride) or any(s < 0 for s in size) or any(s < 0 for s in stride):
            raise _refuse("tensor size %r / stride %r are inconsistent" % (size, stride))
        numel = storage_size(storage)
        if 0 in size:
            if offset > numel:
                raise _refuse("storage offset %d is past the end of a storage of %d elements" % (offset, numel))
            return
        last = offset + sum((n - 1) * s for n, s in zip(size, stride))
        if last >= numel:
            raise _refuse(
                "tensor view (offset %d, size %r, stride %r) reaches element %d of a storage of %d elements"
                % (offset, size, stride, last, numel)
            )

    def check_hooks(hooks: Any) -> None:
        if hooks is None:
            return
        if not isinstance(hooks, dict) or len(hooks):
            raise _refuse("tensors with backward hooks cannot be loaded weights-only (hooks are code)")

    def check_metadata(metadata: Any) -> None:
        if metadata is None:
            return
        if not isinstance(metadata, dict) or not all(type(k) is str and type(v) is bool for k, v in metadata.items()):
            raise _refuse("tensor metadata must be a dict of str -> bool")

    rebuilders = {}

    def _rebuild_tensor(storage: Any, storage_offset: Any, size: Any, stride: Any) -> Any:
        check_view(storage, storage_offset, size, stride)
        return utils._rebuild_tensor(storage, storage_offset, tuple(size), tuple(stride))

    rebuilders["_rebuild_tensor"] = _rebuild_tensor

    def _rebuild_tensor_v2(
        storage: Any,
        storage_offset: Any,
        size: Any,
        stride: Any,
        requires_grad: Any,
        backward_hooks: Any,
        metadata: Any = None,
    ) -> Any:
        check_view(storage, storage_offset, size, stride)
        check_hooks(backward_hooks)
        check_metadata(metadata)
        if type(requires_grad) is not bool:
            raise _refuse("requires_grad must be a bool")
        args = (storage, storage_offset, tuple(size), tuple(stride), requires_grad, collections.OrderedDict())
        return utils._rebuild_tensor_v2(*(args + ((metadata,) if metadata else ())))

    rebuilders["_rebuild_tensor_v2"] = _rebuild_tensor_v2

    if hasattr(utils, "_rebuild_tensor_v3"):

        def _rebuild_tensor_v3(
            storage: Any,
            storage_offset: Any,
            size: Any,
            stride: Any,
            requires_grad: Any,
            backward_hooks: Any,
            dtype: Any,
            metadata: Any = None,
        ) -> Any:
            if not isinstance(dtype, torch.dtype):
                raise _refuse("_rebuild_tensor_v3 needs a torch.dtype")
            if getattr(storage, "dtype", dtype) != dtype:  # the bounds below are counted in elements of dtype
                raise _refuse("_rebuild_tensor_v3: dtype %s differs from its storage's" % dtype)
            check_view(storage, storage_offset, size, stride)
            check_hooks(backward_hooks)
            check_metadata(metadata)
            if type(requires_grad) is not bool:
                raise _refuse("requires_grad must be a bool")
            tensor = utils._rebuild_tensor_v3(
                storage,
                storage_offset,
                tuple(_ints(size, "size")),
                tuple(_ints(stride, "stride")),
                requires_grad,
                collections.OrderedDict(),
                dtype,
                metadata,
            )
            return tensor

        rebuilders["_rebuild_tensor_v3"] = _rebuild_tensor_v3

    def check_param(data: Any, requires_grad: Any, backward_hooks: Any) -> None:
        if not isinstance(data, tensor_type):
            raise _refuse("a parameter must be rebuilt from a tensor, got %s" % type(data).__name__)
        if type(requires_grad) is not bool:
            raise _refuse("requires_grad must be a bool")
        check_hooks(backward_hooks)

    def _rebuild_parameter(data: Any, requires_grad: Any, backward_hooks: Any) -> Any:
        check_param(data, requires_grad, backward_hooks)
        return parameter(data, requires_grad)

    rebuilders["_rebuild_parameter"] = _rebuild_parameter

    def _rebuild_parameter_with_state(data: Any, requires_grad: Any, backward_hooks: Any, state: Any) -> Any:
        check_param(data, requires_grad, backward_hooks)
        if state:
            raise _refuse("parameters with Python attributes cannot be loaded weights-only on this torch")
        return parameter(data, requires_grad)

    rebuilders["_rebuild_parameter_with_state"] = _rebuild_parameter_with_state

    tensor_rebuilders = (
        _rebuild_tensor,
        _rebuild_tensor_v2,
        rebuilders.get("_rebuild_tensor_v3"),
        _rebuild_parameter,
        _rebuild_parameter_with_state,
    )

    def _rebuild_from_type_v2(func: Any, new_type: Any, args: Any, state: Any) -> Any:
        if func not in tensor_rebuilders or not isinstance(args, tuple):
            raise _refuse("_rebuild_from_type_v2 may only call torch's tensor rebuild functions")
        if new_type not in (tensor_type, parameter) and not (
            isinstance(new_type, type) and issubclass(new_type, tensor_type) and new_type in allow.user_types
        ):
            raise _refuse(
                "_rebuild_from_type_v2 to %s: tensor subclasses must be allowlisted"
                % getattr(new_type, "__name__", "?"),
                qualified_name(new_type) if isinstance(new_type, type) else None,
            )
        if state:
            raise _refuse("tensors with Python attributes (__dict__ state) cannot be loaded weights-only here")
        ret = func(*args)
        if type(ret) is not new_type:
            ret = ret.as_subclass(new_type)
        return ret

    def _rebuild_from_type(func: Any, new_type: Any, args: Any, dict_: Any) -> Any:
        return _rebuild_from_type_v2(func, new_type, args, dict_)

    for name, fn in rebuilders.items():
        allow.callables["torch._utils." + name] = fn
    for module in ("torch._tensor", "torch.tensor"):
        allow.callables[module + "._rebuild_from_type_v2"] = _rebuild_from_type_v2
        allow.callables[module + "._rebuild_from_type"] = _rebuild_from_type
    allow.callables["copyreg._reconstructor"] = _reconstructor_factory(allow)
    allow.record_sizes = record_sizes  # type: ignore[attr-defined]
    allow.torch = torch  # type: ignore[attr-defined]
    allow.storage_types = storage_types_t  # type: ignore[attr-defined]
    return allow


def _torch_enum_types(torch: Any) -> Tuple[type, ...]:
    found = []
    for name in ("dtype", "layout", "memory_format", "qscheme"):
        t = getattr(torch, name, None)
        if isinstance(t, type):
            found.append(t)
    return tuple(found)


def _reconstructor_factory(allow: _Allowlist) -> Callable[..., Any]:
    def _reconstructor(cls: Any, base: Any, state: Any) -> Any:
        """copyreg._reconstructor (protocols 0 and 1) for allowlisted classes only, base ``object``."""
        if not (isinstance(cls, type) and cls in allow.user_types) or base is not object or state is not None:
            raise _refuse(
                "copyreg._reconstructor may only create instances of allowlisted classes",
                qualified_name(cls) if isinstance(cls, type) else None,
            )
        return object.__new__(cls)

    return _reconstructor
