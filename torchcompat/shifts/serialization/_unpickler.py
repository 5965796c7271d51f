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
:func:`invalid_checkpoint` walks the file again without executing anything (see "Corrupt or refused?" below).

Nothing here imports torch at module level: :func:`pickle_module` receives the torch module.
"""

from __future__ import annotations

import _compat_pickle
import builtins
import collections
import io
import os
import pickle
import struct
import traceback
import types
import zipfile
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

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


class UnsafeLoadError(pickle.UnpicklingError):
    """``torchcompat.load(weights_only=True)`` refused a file. ``.name`` is the refused global (or None)."""

    def __init__(self, message: str, name: Optional[str] = None) -> None:
        super().__init__(message)
        self.name = name


class InvalidCheckpointError(pickle.UnpicklingError):
    """``torchcompat.load`` was given bytes that are not a torch checkpoint, or one that is cut off or damaged.

    ``.filename`` names the file (its path, the file object's name, or ``"<bytes buffer>"``); ``.reason``
    says what is wrong. The error torch (or the unpickler) raised is chained as ``__cause__``.
    """

    def __init__(self, message: str, filename: Optional[str] = None, reason: Optional[str] = None) -> None:
        super().__init__(message)
        self.filename = filename
        self.reason = reason


#: The first torch whose own weights-only unpickler torchcompat.load uses (see shifts/serialization.py).
NATIVE_FROM = "2.10"

#: Modules whose globals can run code or reach the interpreter: never allowed, even if allowlisted.
BLOCKED_MODULES = frozenset(
    {
        "os",
        "posix",
        "nt",
        "posixpath",
        "ntpath",
        "subprocess",
        "sys",
        "importlib",
        "runpy",
        "shutil",
        "socket",
        "pickle",
        "_pickle",
        "marshal",
        "ctypes",
        "pty",
        "code",
        "codeop",
        "types",
        "functools",
        "operator",
        "webbrowser",
        "multiprocessing",
        "signal",
        "platform",
        "commands",
        "pdb",
        "timeit",
        "trace",
        "profile",
        "cProfile",
        "asyncio",
        "threading",
        "_thread",
        "thread",
        "io",
        "_io",
        "tempfile",
        "glob",
        "pathlib",
        "zipimport",
        "pkgutil",
        "inspect",
        "gc",
        "site",
        "shelve",
        "dbm",
        "sqlite3",
        "urllib",
        "http",
        "ftplib",
        "smtplib",
        "telnetlib",
        "xmlrpc",
        "popen2",
        "distutils",
        "setuptools",
        "pip",
        "torch.hub",
        "torch.jit",
        "torch._C",
        "torch.storage",
        "torch.serialization",
        "torch.package",
        "torch.ops",
        "torch.utils.cpp_extension",
    }
)
#: The builtins a weights-only file may name (``object`` only as ``copyreg._reconstructor``'s base).
_SAFE_BUILTINS = ("set", "complex", "bytearray", "bytes", "object")  # what torch >= 2.10 allows by default
_NOT_CALLABLE_BUILTINS = ("object",)
#: Builtins that evaluate code, reach attributes or the file system: never allowed.
_DANGEROUS_BUILTINS = frozenset(
    "eval exec compile getattr setattr delattr open input globals locals vars breakpoint exit quit help "
    "apply execfile file reload type super memoryview classmethod staticmethod property dir "
    "print callable hasattr id".split()
)


def qualified_name(obj: Any) -> str:
    """``module.qualname`` of a class or function: the key it has in a pickle's GLOBAL opcode."""
    module = getattr(obj, "__module__", None) or "builtins"
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if name is None:
        raise TypeError("%r has no __name__: pass (obj, 'module.name') instead" % (obj,))
    return "%s.%s" % (module, name)


def is_blocked(name: str) -> bool:
    """Is the global ``module.name`` one that can run code (never allowed by a weights-only load)?"""
    module, _, attr = name.rpartition(".")
    if module in ("builtins", "__builtin__"):
        return attr in _DANGEROUS_BUILTINS or attr.startswith("_")
    if module in ("copyreg", "copy_reg"):
        return attr != "_reconstructor"
    parts = module.split(".")
    return any(".".join(parts[: i + 1]) in BLOCKED_MODULES for i in range(len(parts)))


def describe_refusal(name: str, why: str = "") -> str:
    """The one error message of a refused global, with the exact call that would allow it."""
    if is_blocked(name):
        return (
            "torchcompat.load(weights_only=True) refused this file: it calls `%s`, which can run arbitrary "
            "code and is never allowed in a weights-only load; the file is probably malicious. "
            "Only if you trust its source: torchcompat.load(f, weights_only=False)%s" % (name, _why(why))
        )
    return (
        "torchcompat.load(weights_only=True) refused this file: it needs the global `%s`, which is not on "
        "the weights-only allowlist. If you trust this class/function, allow it: "
        "torchcompat.add_safe_globals([%s]) (or `with torchcompat.safe_globals([%s]): ...`); "
        "if you trust the whole file: torchcompat.load(f, weights_only=False)%s" % (name, name, name, _why(why))
    )


def _why(why: str) -> str:
    return " (%s)" % why if why else ""


def _refuse(message: str, name: Optional[str] = None) -> UnsafeLoadError:
    return UnsafeLoadError("torchcompat.load(weights_only=True) refused this file: " + message, name)


# --------------------------------------------------------------------------------------------------
# The allowlist: torch's own names, wrapped where the call needs checking
# --------------------------------------------------------------------------------------------------
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


# --------------------------------------------------------------------------------------------------
# The unpickler
# --------------------------------------------------------------------------------------------------
_Base: Any = pickle._Unpickler  # type: ignore[attr-defined]
_dispatch = dict(_Base.dispatch)


def _op(code: bytes) -> int:
    return code[0]


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


# --------------------------------------------------------------------------------------------------
# Corrupt or refused? An inert walk over the bytes of a file whose load failed
# --------------------------------------------------------------------------------------------------
# A load that fails is classified by the bytes, never by the exception: torch raises a different type
# for the same damage on each release (EOFError, UnpicklingError, RuntimeError "PytorchStreamReader
# failed ...", KeyError/IndexError/struct.error from a pure-Python unpickler). The file is walked
# again without executing anything (globals are names, calls are placeholders): if it is not an intact
# torch container (zip archive with a well-formed data.pkl, or the legacy sequence of five well-formed
# pickles and the storage data they announce), the load raises InvalidCheckpointError, whatever it
# raised first. An intact file keeps its own error: a refusal (UnsafeLoadError), a CUDA tensor on a
# CPU-only machine, a missing class, a map_location error. OSError (no such file, permission, a
# directory) is the caller's and is never classified.

#: torch.serialization.MAGIC_NUMBER and PROTOCOL_VERSION: the first two pickles of a legacy-format file.
MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001
#: Bytes per element of the storage classes a legacy file names (``torch.FloatStorage`` -> "Float").
_ELEMENT_SIZES = {
    "Double": 8,
    "Float": 4,
    "Half": 2,
    "BFloat16": 2,
    "Long": 8,
    "Int": 4,
    "Short": 2,
    "Char": 1,
    "Byte": 1,
    "Bool": 1,
    "ComplexDouble": 16,
    "ComplexFloat": 8,
    "QUInt8": 1,
    "QInt8": 1,
    "QInt32": 4,
    "QUInt4x2": 1,
    "QUInt2x4": 1,
    "Untyped": 1,
    "_Untyped": 1,
}
_PICKLES = ("magic number", "protocol version", "system info", "data", "storage keys")


class _CantTell(Exception):
    """The walk cannot decide (a pickle protocol newer than this Python, an unknown storage class)."""


class _Opaque:
    """What a call, a persistent id or an extension code stands for in the inert walk."""

    __slots__ = ()


class _Name(_Opaque):
    """A global named by the pickle (never imported)."""

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name


class _Bounded:
    """A file read no further than ``end``: a length field in the data never allocates more than the file."""

    def __init__(self, fh: Any, end: int) -> None:
        self.fh, self.end = fh, end
        self.short = False  # has a read come back short (the data ended inside a field)?

    def left(self) -> int:
        return max(0, self.end - self.fh.tell())

    def read(self, n: int = -1) -> bytes:
        left = self.left()
        data = self.fh.read(left if n is None or n < 0 or n > left else n)
        if n is not None and n > len(data):
            self.short = True
        return data

    def readline(self, limit: int = -1) -> bytes:
        line = self.fh.readline(self.left())
        if not line.endswith(b"\n"):
            self.short = True
        return line

    def readinto(self, buf: Any) -> int:
        data = self.read(len(buf))
        buf[: len(data)] = data
        return len(data)


class _InertUnpickler(pickle._Unpickler):  # type: ignore[misc, name-defined]
    """Parses a pickle without importing or calling anything: globals become names, calls placeholders."""

    dispatch = dict(pickle._Unpickler.dispatch)  # type: ignore[attr-defined]

    def __init__(self, file: Any) -> None:
        super().__init__(file, encoding="bytes")  # Python 2 str: bytes, never a decoding error
        self.pids: List[Any] = []
        self.named = False  # did it name a global, a persistent id or an extension?

    def find_class(self, module: str, name: str) -> Any:
        self.named = True
        return _Name(module, name)

    def persistent_load(self, pid: Any) -> Any:
        self.named = True
        self.pids.append(pid)
        return _Opaque()

    def get_extension(self, code: int) -> None:
        if code <= 0:
            raise pickle.UnpicklingError("EXT specifies code <= 0")
        self.named = True
        self.append(_Opaque())

    def load_proto(self) -> None:
        proto = self.read(1)[0]
        if proto > pickle.HIGHEST_PROTOCOL:
            if proto <= 5:  # written by a newer Python: the load's own error says so
                raise _CantTell("pickle protocol %d" % proto)
            raise ValueError("unsupported pickle protocol: %d" % proto)
        self.proto = proto

    dispatch[_op(pickle.PROTO)] = load_proto

    def _pop(self, n: int) -> None:
        if len(self.stack) < n:
            raise IndexError("an opcode needs %d items on a stack of %d" % (n, len(self.stack)))
        del self.stack[len(self.stack) - n :]

    def load_reduce(self) -> None:
        self._pop(2)
        self.append(_Opaque())

    dispatch[_op(pickle.REDUCE)] = load_reduce

    def load_newobj(self) -> None:
        self._pop(2)
        self.append(_Opaque())

    dispatch[_op(pickle.NEWOBJ)] = load_newobj

    def load_newobj_ex(self) -> None:
        self._pop(3)
        self.append(_Opaque())

    if hasattr(pickle, "NEWOBJ_EX"):
        dispatch[_op(pickle.NEWOBJ_EX)] = load_newobj_ex

    def _instantiate(self, klass: Any, args: Any) -> None:  # INST and OBJ
        self.append(_Opaque())

    def load_build(self) -> None:
        self._pop(2)
        self.append(_Opaque())

    dispatch[_op(pickle.BUILD)] = load_build

    def load_setitem(self) -> None:
        self._pop(3)
        self.append(_Opaque())  # the target's contents are never needed

    dispatch[_op(pickle.SETITEM)] = load_setitem

    def load_setitems(self) -> None:
        self.pop_mark()
        self._pop(1)
        self.append(_Opaque())

    dispatch[_op(pickle.SETITEMS)] = load_setitems

    def load_additems(self) -> None:
        self.pop_mark()
        self._pop(1)
        self.append(_Opaque())

    if hasattr(pickle, "ADDITEMS"):
        dispatch[_op(pickle.ADDITEMS)] = load_additems

    def load_append(self) -> None:
        value = self.stack.pop()
        target = self.stack[-1]
        if type(target) is list:  # the storage key list: the only list whose items are read
            target.append(value)

    dispatch[_op(pickle.APPEND)] = load_append

    def load_appends(self) -> None:
        items = self.pop_mark()
        target = self.stack[-1]
        if type(target) is list:
            target.extend(items)

    dispatch[_op(pickle.APPENDS)] = load_appends


def _inert_load(reader: Any) -> Tuple[Any, _InertUnpickler]:
    unpickler = _InertUnpickler(reader)
    return unpickler.load(), unpickler


_ENDS_EARLY = "the data ends early"


def _bytes(n: int) -> str:
    return "1 byte" if n == 1 else "%d bytes" % n


def _what_failed(exc: BaseException, reader: _Bounded) -> str:
    if reader.short or isinstance(exc, EOFError) or "truncated" in str(exc) or "exhausted" in str(exc):
        return _ENDS_EARLY
    if isinstance(exc, KeyError) and exc.args and isinstance(exc.args[0], int):
        return "unknown pickle opcode 0x%02x" % exc.args[0]
    text = str(exc)
    return "%s%s" % (type(exc).__name__, ": " + text[:100] if text else "")


def _legacy_damage(fh: Any, start: int, end: int, storages: bool) -> Optional[str]:
    """What is wrong with a legacy-format file (five pickles, then the storage data), or None. Without
    ``storages``, only the pickles up to the data pickle (where a load can refuse something) are checked."""
    reader = _Bounded(fh, end)
    values: List[Any] = []
    pids: List[Any] = []
    for index, what in enumerate(_PICKLES):
        if index and not reader.left():
            return "it is cut off after %s, after pickle %d of 5 (the %s)" % (
                _bytes(end - start),
                index,
                _PICKLES[index - 1],
            )
        at = fh.tell() - start
        try:
            value, unpickler = _inert_load(reader)
        except _CantTell:
            return None
        except Exception as exc:  # whatever the pure-Python unpickler raises on bad bytes
            failed = _what_failed(exc, reader)
            if failed == _ENDS_EARLY:
                return "it is cut off after %s, inside pickle %d of 5 (the %s)" % (_bytes(end - start), index + 1, what)
            if index == 0:
                return "it is neither a zip archive nor a pickle (%s at byte 0)" % failed
            return "pickle %d of 5 (the %s, from byte %d) is invalid: %s" % (index + 1, what, at, failed)
        if index == 3:
            if not storages:
                return None
            pids = unpickler.pids
        elif unpickler.named:
            # torch.save writes plain data here; a pickle that names globals is judged by the load itself
            # (a plain pickle holding os.system is refused as such, not called corrupt)
            return None
        elif index == 0 and not (type(value) is int and value == MAGIC_NUMBER):
            return "it does not start with torch's magic number (a plain pickle, or another format)"
        elif index == 1 and not (type(value) is int and value == PROTOCOL_VERSION):
            return "its torch protocol version is %r, not %d" % (value, PROTOCOL_VERSION)
        values.append(value)
    keys = values[4]
    if type(keys) is not list or not all(isinstance(k, (str, bytes)) for k in keys):
        return "its storage key list is not a list of names"
    sizes = {}
    for pid in pids:
        if (
            type(pid) is tuple
            and len(pid) >= 5
            and pid[0] in ("storage", b"storage")
            and isinstance(pid[2], (str, bytes))
        ):
            sizes[pid[2]] = pid[1].name if isinstance(pid[1], _Name) else ""
    for key in keys:
        if key not in sizes:
            return "storage %r is listed but no tensor uses it" % (key,)
        name = sizes[key]
        element = _ELEMENT_SIZES.get(name[: -len("Storage")] if name.endswith("Storage") else name)
        if element is None:
            raise _CantTell("storage class %s" % name)
        head = fh.read(8)
        if len(head) < 8:
            return "the data of storage %r is missing (the file ends at byte %d)" % (key, end - start)
        count = struct.unpack("<q", head)[0]
        if count < 0:
            return "storage %r has a negative size" % (key,)
        need = count * element
        have = end - fh.tell()
        if have < need:
            return "the data of storage %r is cut off (%d of its %d bytes are there)" % (key, max(have, 0), need)
        fh.seek(need, 1)
    return None


def _zip_damage(fh: Any, storages: bool) -> Optional[str]:
    """What is wrong with a zip checkpoint (the archive, its data.pkl record, with ``storages`` the
    records it names), or None."""
    try:
        archive = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        return "a zip archive that is cut off or damaged (%s)" % exc
    with archive:
        names = set(archive.namelist())
        records = [i for i in archive.infolist() if i.filename.endswith("/data.pkl") and i.filename.count("/") == 1]
        if not records:
            if any(n.endswith("model.json") or "/code/" in n or n.startswith(".data/") for n in names):
                return None  # a TorchScript archive of torch < 1.4, or a torch.package: judged by the load itself
            return "a zip archive without a data.pkl record (not written by torch.save)"
        info = records[0]
        prefix = info.filename[: -len("data.pkl")]
        try:
            data = _record_bytes(archive, fh, info)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, struct.error, NotImplementedError) as exc:
            return "its record %s cannot be read (%s)" % (info.filename, exc)
    reader = _Bounded(io.BytesIO(data), len(data))
    try:
        _, unpickler = _inert_load(reader)
    except _CantTell:
        return None
    except Exception as exc:
        return "its record %s is cut off or invalid: %s" % (info.filename, _what_failed(exc, reader))
    for pid in unpickler.pids if storages else ():
        if type(pid) is tuple and len(pid) == 5 and pid[0] in ("storage", b"storage"):
            key = pid[2].decode("ascii", "replace") if isinstance(pid[2], bytes) else str(pid[2])
            if prefix + "data/" + key not in names:
                return "its record %sdata/%s is missing" % (prefix, key)
    return None


def _record_bytes(archive: zipfile.ZipFile, fh: Any, info: zipfile.ZipInfo) -> bytes:
    """A record's bytes without the CRC check (torch >= 2.6 can save with compute_crc32=False)."""
    if info.compress_type != zipfile.ZIP_STORED:
        with archive.open(info) as member:
            return member.read()
    fh.seek(info.header_offset)
    header = fh.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile("bad local header")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    fh.seek(info.header_offset + 30 + name_len + extra_len)
    data = fh.read(info.compress_size)
    if len(data) < info.compress_size:
        raise EOFError("the record is cut off")
    return data


def checkpoint_damage(f: Any, start: Optional[int] = 0, storages: bool = True) -> Optional[str]:
    """Why the bytes of ``f`` (a path or a seekable file object, read from ``start``) are not an intact torch
    checkpoint, or None when they look intact or cannot be re-read. Executes nothing; used only after a
    load failed, so a good load never pays for it. ``storages=False`` stops at the pickle that holds the
    data (what comes after it is never read when that pickle is refused)."""
    opened = None
    try:
        if isinstance(f, (str, bytes)) or hasattr(f, "__fspath__"):
            opened = fh = open(f, "rb")
            start = 0
        else:
            fh = f
            if start is None:
                return None
        fh.seek(0, 2)
        end = fh.tell()
        if end - start <= 0:
            return "it is empty (0 bytes)"
        fh.seek(start)
        head = fh.read(512)
        fh.seek(start)
        if head[:2] == b"PK":
            return _zip_damage(fh, storages)
        if len(head) >= 262 and head[257:262] == b"ustar":
            return None  # the tar format of torch < 0.4: not checked here
        return _legacy_damage(fh, start, end, storages)
    except _CantTell:
        return None
    except Exception:  # the check itself failed (an unreadable stream): cannot tell
        return None
    finally:
        if opened is not None:
            opened.close()
        else:
            try:
                f.seek(start or 0)
            except Exception:
                pass


def source_name(f: Any) -> str:
    """How an error names what was loaded: the path, the file object's name, or ``"<bytes buffer>"``."""
    try:
        if isinstance(f, (str, bytes)) or hasattr(f, "__fspath__"):
            return os.fsdecode(os.fspath(f))
        name = getattr(f, "name", None)
        if isinstance(name, (str, bytes)) or hasattr(name, "__fspath__"):
            return os.fsdecode(os.fspath(name))
        if isinstance(name, int):
            return "<file descriptor %d>" % name
    except Exception:
        pass
    return "<bytes buffer>"


def invalid_checkpoint(f: Any, start: Optional[int], exc: BaseException) -> Optional[InvalidCheckpointError]:
    """The :class:`InvalidCheckpointError` to raise (``from exc``) for a load of ``f`` that raised ``exc``,
    or None when ``exc`` stands: the bytes are an intact checkpoint, or ``exc`` is an OSError (no such
    file, permission, a directory), or already an InvalidCheckpointError."""
    if isinstance(exc, (InvalidCheckpointError, OSError)) or not isinstance(exc, Exception):
        return None
    # A refusal stands when the pickles up to the refused one are well-formed (random bytes that happen to
    # begin with an EXT1 opcode are not); the storage data after it was never read.
    reason = checkpoint_damage(f, start, storages=not isinstance(exc, UnsafeLoadError))
    if reason is None:
        return None
    name = source_name(f)
    shown = name if name.startswith("<") else "'%s'" % name
    message = (
        "%s is not a torch checkpoint or corrupted: %s. Check that it is the file torch.save wrote, "
        "and download or save it again if it was cut off." % (shown, reason)
    )
    refused = getattr(exc, "name", None) if isinstance(exc, UnsafeLoadError) else None
    if refused and is_blocked(refused):
        message += (
            " It also calls `%s`, which can run arbitrary code: do not load it with weights_only=False." % refused
        )
    _release_frames(exc)
    return InvalidCheckpointError(message, name, reason)


def _release_frames(exc: BaseException) -> None:
    """Clear the locals of the finished frames in ``exc``'s traceback (and its chain): the error stays readable,
    but holds none of the half-read tensors. It also avoids a torch 1.0 abort ("intrusive_ptr: Can only
    reclaim() owning pointers") when a storage whose read failed is freed after later loads."""
    seen = set()
    chained: Optional[BaseException] = exc
    while chained is not None and id(chained) not in seen and len(seen) < 16:
        seen.add(id(chained))
        traceback.clear_frames(chained.__traceback__)  # skips the frames still running (ours)
        chained = chained.__cause__ or chained.__context__
