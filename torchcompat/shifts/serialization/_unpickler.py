"""A restricted unpickler for ``torchcompat.load(weights_only=True)`` on releases without a sound native one.

It is handed to ``torch.load(pickle_module=...)`` as a module-like object with ``Unpickler`` and ``load``,
so torch's own loaders (the pre-1.6 legacy format, the tar format, and the zip format) drive it unchanged.
It is built on the pure-Python ``pickle._Unpickler`` so that every opcode can be checked, not only the
globals:

* ``GLOBAL``/``STACK_GLOBAL`` only resolve names on the allowlist, never by importing a module;
  torch's ``_rebuild_*`` functions resolve to checking wrappers (storage type, bounds of the view,
  empty backward hooks, known rebuild function inside ``_rebuild_from_type_v2``);
* ``REDUCE``/``NEWOBJ``/``OBJ``/``INST`` only call allowlisted callables (storage classes and dtypes
  may be named but never called);
* ``BUILD``, ``SETITEM(S)``, ``APPEND(S)``, ``ADDITEMS`` only act on the containers they were made for
  (or on instances of classes the user allowlisted); ``EXT1/2/4`` are refused;
* persistent ids are validated before torch's ``persistent_load`` sees them, and on the zip format the
  declared storage size must equal the size of the record in the archive.

Bytes that are not an intact checkpoint (empty, cut off, damaged, another format) raise
:class:`InvalidCheckpointError` instead of whatever the unpickler or torch raised: after a load fails,
:func:`invalid_checkpoint` walks the file again without executing anything.

The parts live beside it: ``_policy`` (what is never allowed, :class:`UnsafeLoadError`, the refusal message),
``_allowlist`` (torch's names and the checking ``_rebuild_*`` wrappers) and ``_damage`` (the walk after a failed
load); this module keeps importing every name it had. Nothing here imports torch at module level:
:func:`pickle_module` receives the torch module.
"""

from __future__ import annotations

import _compat_pickle
import collections
import io
import pickle
import types
from typing import Any, Callable, Dict, Iterable, Optional, Tuple

from torchcompat.shifts.serialization._allowlist import _Allowlist, _torch_allowlist
from torchcompat.shifts.serialization._damage import (  # re-exported: tc.load's damage check
    InvalidCheckpointError,
    checkpoint_damage,
    invalid_checkpoint,
    source_name,
)
from torchcompat.shifts.serialization._policy import (  # re-exported: the refusal error and names
    BLOCKED_MODULES,
    NATIVE_FROM,
    UnsafeLoadError,
    _op,
    _refuse,
    describe_refusal,
    is_blocked,
    qualified_name,
)

__all__ = [
    "UnsafeLoadError",
    "InvalidCheckpointError",
    "BLOCKED_MODULES",
    "pickle_module",
    "describe_refusal",
    "qualified_name",
    "source_name",
    "checkpoint_damage",
    "invalid_checkpoint",
]


_Base: Any = pickle._Unpickler  # type: ignore[attr-defined]
_dispatch = dict(_Base.dispatch)


class _RestrictedUnpickler(_Base):  # type: ignore[misc, valid-type]
    """Pure-Python unpickler that resolves only allowlisted globals and checks every call (see module doc)."""

    _allow: _Allowlist = _Allowlist()
    _load_args: Dict[str, Any] = {}

    def __init__(self, file: Any, **kwargs: Any) -> None:
        kwargs.update(self._load_args)  # the caller's encoding wins over torch's default
        accepted = {k: v for k, v in kwargs.items() if k in ("fix_imports", "encoding", "errors")}
        super().__init__(file, **accepted)
        self._granted: Dict[int, Any] = {}
        self._torch_persistent_load: Optional[Callable[[Any], Any]] = None

    # torch assigns ``unpickler.persistent_load = fn``; we check the id before torch sees it.
    @property
    def persistent_load(self) -> Callable[[Any], Any]:  # type: ignore[override]
        return self._checked_persistent_load

    @persistent_load.setter
    def persistent_load(self, fn: Callable[[Any], Any]) -> None:
        self._torch_persistent_load = fn

    def _checked_persistent_load(self, pid: Any) -> Any:
        if self._torch_persistent_load is None:
            raise _refuse("persistent id outside a torch file")
        _check_persistent_id(pid, self._allow)
        return self._torch_persistent_load(pid)

    def find_class(self, module: Any, name: Any) -> Any:
        if type(module) is not str or type(name) is not str:
            raise _refuse("GLOBAL names must be strings")
        if self.proto < 3 and self.fix_imports:  # Python 2 names (__builtin__, copy_reg ...)
            if (module, name) in _compat_pickle.NAME_MAPPING:
                module, name = _compat_pickle.NAME_MAPPING[(module, name)]
            elif module in _compat_pickle.IMPORT_MAPPING:
                module = _compat_pickle.IMPORT_MAPPING[module]
        full = module + "." + name
        allow = self._allow
        if not is_blocked(full):
            if full in allow.callables:
                obj = allow.callables[full]
                self._granted[id(obj)] = obj
                return obj
            if full in allow.objects:
                return allow.objects[full]
        if full.startswith(("torch._utils._rebuild_", "torch._tensor._rebuild_")):
            raise UnsafeLoadError(
                "torchcompat.load(weights_only=True) refused this file: it rebuilds tensors with `%s` (quantized, "
                "sparse, meta, nested or subclass tensors), which torchcompat's restricted unpickler does not check "
                "(torch >= %s's own weights-only unpickler handles them). If you trust the file: "
                "torchcompat.load(f, weights_only=False)" % (full, NATIVE_FROM),
                full,
            )
        raise UnsafeLoadError(describe_refusal(full), full)

    def _check_call(self, func: Any, what: str) -> None:
        if self._granted.get(id(func)) is not func:
            raise _refuse("%s of %s, which is not an allowlisted callable" % (what, _short(func)))

    def _check_container(self, obj: Any, types_: Tuple[type, ...], what: str) -> None:
        if type(obj) not in types_ and not isinstance(obj, self._allow.user_types):
            raise _refuse("%s on a %s" % (what, type(obj).__name__))

    dispatch = _dispatch

    def load_reduce(self) -> None:
        args = self.stack.pop()
        func = self.stack[-1]
        self._check_call(func, "REDUCE")
        if not isinstance(args, tuple):
            raise _refuse("REDUCE arguments must be a tuple")
        self.stack[-1] = func(*args)

    dispatch[_op(pickle.REDUCE)] = load_reduce

    def load_newobj(self) -> None:
        args = self.stack.pop()
        cls = self.stack.pop()
        self._check_call(cls, "NEWOBJ")
        if not isinstance(cls, type) or not isinstance(args, tuple):
            raise _refuse("NEWOBJ needs a class and a tuple")
        self.append(cls.__new__(cls, *args))

    dispatch[_op(pickle.NEWOBJ)] = load_newobj

    def load_newobj_ex(self) -> None:
        kwargs = self.stack.pop()
        args = self.stack.pop()
        cls = self.stack.pop()
        self._check_call(cls, "NEWOBJ_EX")
        if not isinstance(cls, type) or not isinstance(args, tuple) or type(kwargs) is not dict:
            raise _refuse("NEWOBJ_EX needs a class, a tuple and a dict")
        self.append(cls.__new__(cls, *args, **kwargs))

    dispatch[_op(pickle.NEWOBJ_EX)] = load_newobj_ex

    def _instantiate(self, klass: Any, args: Any) -> None:
        self._check_call(klass, "INST/OBJ")
        if not (isinstance(klass, type) and issubclass(klass, self._allow.user_types)) and klass not in (
            collections.OrderedDict,
            set,
        ):
            raise _refuse("INST/OBJ may only create allowlisted classes")
        super()._instantiate(klass, args)

    def load_build(self) -> None:
        state = self.stack[-1]
        inst = self.stack[-2]
        if isinstance(inst, self._allow.user_types):
            _dispatch_base[_op(pickle.BUILD)](self)
            return
        if type(inst) is collections.OrderedDict:
            # state_dict()'s ``_metadata`` attribute is the only state a weights-only OrderedDict has.
            slots = None
            if isinstance(state, tuple) and len(state) == 2:
                state, slots = state
            if slots or (state and (type(state) is not dict or set(state) != {"_metadata"})):
                raise _refuse("BUILD on an OrderedDict may only set _metadata")
            if state:
                meta = state["_metadata"]
                if type(meta) not in (dict, collections.OrderedDict):
                    raise _refuse("_metadata must be a dict")
                inst._metadata = meta
            self.stack.pop()
            return
        raise _refuse("BUILD (setting state) on a %s" % type(inst).__name__)

    dispatch[_op(pickle.BUILD)] = load_build

    def load_setitem(self) -> None:
        self._check_container(self.stack[-3], (dict, collections.OrderedDict), "SETITEM")
        _dispatch_base[_op(pickle.SETITEM)](self)

    dispatch[_op(pickle.SETITEM)] = load_setitem

    def load_setitems(self) -> None:
        mark = self.metastack[-1] if self.metastack else []
        target = mark[-1] if mark else None
        self._check_container(target, (dict, collections.OrderedDict), "SETITEMS")
        _dispatch_base[_op(pickle.SETITEMS)](self)

    dispatch[_op(pickle.SETITEMS)] = load_setitems

    def load_append(self) -> None:
        self._check_container(self.stack[-2], (list,), "APPEND")
        _dispatch_base[_op(pickle.APPEND)](self)

    dispatch[_op(pickle.APPEND)] = load_append

    def load_appends(self) -> None:
        mark = self.metastack[-1] if self.metastack else []
        target = mark[-1] if mark else None
        self._check_container(target, (list,), "APPENDS")
        _dispatch_base[_op(pickle.APPENDS)](self)

    dispatch[_op(pickle.APPENDS)] = load_appends

    def load_additems(self) -> None:
        mark = self.metastack[-1] if self.metastack else []
        target = mark[-1] if mark else None
        self._check_container(target, (set,), "ADDITEMS")
        _dispatch_base[_op(pickle.ADDITEMS)](self)

    if hasattr(pickle, "ADDITEMS"):
        dispatch[_op(pickle.ADDITEMS)] = load_additems

    def _refuse_ext(self) -> None:
        raise _refuse("the copyreg extension registry (EXT1/2/4) is not allowed")

    for _code in ("EXT1", "EXT2", "EXT4"):
        dispatch[_op(getattr(pickle, _code))] = _refuse_ext


_dispatch_base = _Base.dispatch


def _short(obj: Any) -> str:
    try:
        return (
            qualified_name(obj)
            if isinstance(obj, (type, types.FunctionType, types.BuiltinFunctionType))
            else ("a %s" % type(obj).__name__)
        )
    except TypeError:
        return "a %s" % type(obj).__name__


def _check_persistent_id(pid: Any, allow: _Allowlist) -> None:
    """Validate a torch persistent id before torch's own ``persistent_load`` acts on it."""
    if isinstance(pid, (str, bytes, int)):  # the pre-0.4 tar format: a storage key
        return
    if not isinstance(pid, tuple) or not pid:
        raise _refuse("malformed persistent id")
    typename = pid[0].decode("ascii") if isinstance(pid[0], bytes) else pid[0]
    storage_types = allow.storage_types  # type: ignore[attr-defined]
    if typename == "module":
        # A whole pickled nn.Module: its class went through find_class, so it is allowlisted.
        if len(pid) < 2 or not (isinstance(pid[1], type) and pid[1] in allow.user_types):
            raise _refuse("a pickled module class that is not allowlisted")
        return
    if typename != "storage":
        raise _refuse("unknown persistent id type %r" % (typename,))
    data = pid[1:]
    storage_type = data[0] if data else None
    is_class = isinstance(storage_type, type) and issubclass(storage_type, storage_types)
    if not is_class and type(storage_type).__name__ != "StorageType":  # 2.x zip: torch.serialization.StorageType
        raise _refuse("a persistent storage id names %s, not a storage type" % _short(storage_type))
    if len(data) == 4:  # zip format: (type, key, location, numel)
        key, location, numel = data[1:]
        if not isinstance(key, (str, bytes)) or not isinstance(location, (str, bytes)) or type(numel) is not int:
            raise _refuse("malformed storage id")
        if numel < 0:
            raise _refuse("negative storage size")
        sizes = allow.record_sizes  # type: ignore[attr-defined]
        if sizes is not None:
            k = key.decode("ascii") if isinstance(key, bytes) else key
            if k not in sizes:
                raise _refuse("storage %r has no record in the archive" % k)
            itemsize = _itemsize(storage_type, allow.torch)  # type: ignore[attr-defined]
            if itemsize is None:
                raise _refuse("cannot tell the element size of storage %r" % k)
            if sizes[k] != numel * itemsize:
                raise _refuse(
                    "storage %r declares %d elements of %d bytes but its record holds %d bytes"
                    % (k, numel, itemsize, sizes[k])
                )
    elif len(data) == 5:  # legacy format: (type, root_key, location, size, view_metadata)
        root_key, location, size, view = data[1:]
        if not isinstance(root_key, (str, bytes)) or not isinstance(location, (str, bytes)) or type(size) is not int:
            raise _refuse("malformed storage id")
        if size < 0:
            raise _refuse("negative storage size")
        if view is not None:
            if not (isinstance(view, tuple) and len(view) == 3 and type(view[1]) is int and type(view[2]) is int):
                raise _refuse("malformed storage view")
            if view[1] < 0 or view[2] < 0 or view[1] + view[2] > size:
                raise _refuse("storage view out of bounds")
    else:
        raise _refuse("malformed storage id")


def _itemsize(storage_type: Any, torch: Any) -> Optional[int]:
    """Bytes per element of a storage class (torch 1.x: no ``.dtype``) or a 2.x ``StorageType``."""
    dtype = getattr(storage_type, "dtype", None)
    try:
        if isinstance(dtype, torch.dtype):
            return int(torch.empty(0, dtype=dtype).element_size())
        if isinstance(storage_type, type):
            return int(storage_type().element_size())
    except Exception:
        pass
    return None


class _PickleModule(types.ModuleType):
    """What ``torch.load(pickle_module=...)`` needs: ``Unpickler``, ``load`` (and ``__name__``)."""

    Unpickler: Any

    def load(self, file: Any, **kwargs: Any) -> Any:
        return self.Unpickler(file, **kwargs).load()

    def loads(self, data: bytes, **kwargs: Any) -> Any:
        return self.load(io.BytesIO(data), **kwargs)


def pickle_module(
    torch: Any,
    extra: Iterable[Tuple[str, Any]] = (),
    load_args: Optional[Dict[str, Any]] = None,
    record_sizes: Optional[Dict[str, int]] = None,
) -> _PickleModule:
    """A fresh restricted pickle module for one load: torch's allowlist plus ``extra`` (name, object)
    pairs; ``load_args`` (encoding, errors, fix_imports) are baked in (torch 1.0 has no pickle_load_args)."""
    allow = _torch_allowlist(torch, record_sizes)
    user_types = []
    for name, obj in extra:
        if isinstance(obj, type):
            user_types.append(obj)
        if callable(obj):
            allow.callables[name] = obj
        else:
            allow.objects[name] = obj
    allow.user_types = tuple(user_types)
    unpickler = type("Unpickler", (_RestrictedUnpickler,), {"_allow": allow, "_load_args": dict(load_args or {})})
    mod = _PickleModule("torchcompat._restricted_pickle")
    mod.Unpickler = unpickler
    mod.UnpicklingError = pickle.UnpicklingError  # type: ignore[attr-defined]
    return mod
