"""Serialization shifts: torch.load weights_only, the zip format, removed loaders.

The records are in ``records``; this module holds the adapters (``tc.load`` safe by default on every release,
the safe-globals allowlist). ``_unpickler`` is the restricted unpickler ``tc.load`` uses where torch has no sound
weights-only unpickler of its own (1.0 - 2.9)."""

from __future__ import annotations

import collections
import io
import pickle
import re
import types
import warnings
import zipfile
from typing import Any, Dict, Iterable, List, Optional, Tuple

from torchcompat.registry import Resolution, backport, native, unavailable
from torchcompat.shifts.serialization._damage import InvalidCheckpointError, invalid_checkpoint
from torchcompat.shifts.serialization._policy import NATIVE_FROM, UnsafeLoadError, describe_refusal, qualified_name
from torchcompat.shifts.serialization._storages import guard_legacy_storages
from torchcompat.shifts.serialization.records import (  # noqa: F401 - re-exported: every record of the area
    SER_LOAD_LUA,
    SER_MODEL_ZOO,
    SER_SAFE_GLOBALS,
    SER_STATE_DICT_PREFIX,
    SER_WEIGHTS_ONLY,
    SER_WEIGHTS_ONLY_SOUND,
    SER_ZIPFILE,
)

#: First release whose own weights-only unpickler torchcompat trusts (CVE-2025-32434 fixed in 2.6,
#: CVE-2026-24747 in 2.10); it also has add_safe_globals / safe_globals.
NATIVE_WEIGHTS_ONLY_FROM = NATIVE_FROM


def _restricted() -> Any:
    """The restricted unpickler module, imported at first use: a torch that has a sound weights-only unpickler
    of its own (>= 2.10) never needs it, and ``import torchcompat`` stays cheap."""
    from torchcompat.shifts.serialization import _unpickler

    return _unpickler


class UnsafeLoadWarning(UserWarning):
    """``torchcompat.load(weights_only=False)``: the file may run code (warned once per process)."""


_SAFE_GLOBALS: "collections.OrderedDict[str, Any]" = collections.OrderedDict()
_WARNED_UNSAFE = False


def native_weights_only(env: Any) -> bool:
    """Does torchcompat.load use torch's own weights-only unpickler on ``env``'s torch?"""
    return (
        env.has("serialization.add_safe_globals")
        and env.has("serialization.safe_globals")
        and env.at_least(NATIVE_WEIGHTS_ONLY_FROM)
    )


def _entries(safe_globals: Iterable[Any]) -> List[Tuple[str, Any]]:
    out = []
    for item in safe_globals:
        if isinstance(item, tuple):
            obj, name = item
            out.append((name, obj))
        else:
            out.append((qualified_name(item), item))
    return out


def _user_globals(env: Any) -> List[Tuple[str, Any]]:
    """What the restricted unpickler allows beyond torch's defaults: tc's list, plus torch's own list
    where torch has one (so both registries agree when the restricted path is forced on a new torch)."""
    found = list(_SAFE_GLOBALS.items())
    get = env.get("serialization.get_safe_globals")
    if get and native_weights_only(env):
        found.extend(_entries(get()))
    return found


def _warn_unsafe() -> None:
    global _WARNED_UNSAFE
    if not _WARNED_UNSAFE:
        _WARNED_UNSAFE = True
        warnings.warn(
            "torchcompat.load(weights_only=False) unpickles arbitrary objects: a malicious file can run code. "
            "Use it only for files you trust (this warning is shown once).",
            UnsafeLoadWarning,
            stacklevel=3,
        )


def _pickle_args(kw: Dict[str, Any]) -> Dict[str, Any]:
    return {k: kw.pop(k) for k in ("encoding", "errors", "fix_imports") if k in kw}


def _takes_pickle_args(env: Any) -> bool:
    import inspect

    try:
        params = inspect.signature(env.torch.load).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.kind == p.VAR_KEYWORD for p in params)


def _plain_pickle_module(load_args: Dict[str, Any]) -> Any:
    """stdlib pickle with ``load_args`` baked in, for torch 1.0 whose load takes no pickle_load_args."""
    base = pickle.Unpickler

    class Unpickler(base):  # type: ignore[misc, valid-type]
        def __init__(self, file: Any, **kwargs: Any) -> None:
            kwargs.update(load_args)
            super().__init__(file, **kwargs)

    mod = _restricted()._PickleModule("torchcompat._pickle_with_args")
    mod.Unpickler = Unpickler
    return mod


def _zip_layout(f: Any) -> Tuple[Optional[Dict[str, int]], bool]:
    """(storage record sizes by key, is a TorchScript archive) of a zip checkpoint; (None, False) otherwise."""
    opened = None
    if isinstance(f, (str, bytes)) or hasattr(f, "__fspath__"):
        opened = f = open(f, "rb")
    try:
        pos = f.tell()
        try:
            if not zipfile.is_zipfile(f):
                return None, False
            f.seek(pos)
            with zipfile.ZipFile(f) as zf:
                sizes: Dict[str, int] = {}
                script = False
                for info in zf.infolist():
                    parts = info.filename.split("/")
                    if len(parts) == 3 and parts[1] in ("data", "tensors"):  # 1.4 wrote tensors/
                        sizes[parts[2]] = info.file_size
                    if parts[-1] == "constants.pkl" or (len(parts) > 1 and parts[1] == "code"):
                        script = True
                return sizes, script
        finally:
            f.seek(pos)
    finally:
        if opened is not None:
            opened.close()


def writes_zip_by_default(env: Any) -> bool:
    """Does ``torch.save`` write the zip format unless told otherwise (1.6+)? Read from the default of
    ``_use_new_zipfile_serialization`` (1.4 and 1.5 have the flag, defaulting to False)."""
    import inspect

    try:
        param = inspect.signature(env.torch.save).parameters.get("_use_new_zipfile_serialization")
    except (TypeError, ValueError):
        return False
    return param is not None and param.default is True


def _start_of(f: Any) -> Optional[int]:
    """Where a load of ``f`` starts reading (0 for a path; None for a stream that cannot tell)."""
    if isinstance(f, (str, bytes)) or hasattr(f, "__fspath__"):
        return 0
    try:
        return f.tell()
    except Exception:
        return None


def raise_if_invalid(f: Any, start: Optional[int], exc: BaseException) -> None:
    """Inside ``except``: raise :class:`InvalidCheckpointError` from ``exc`` when the bytes of ``f`` are not an
    intact checkpoint (see ``_damage.invalid_checkpoint``); return to let ``exc`` stand."""
    error = invalid_checkpoint(f, start, exc)
    if error is not None:
        raise error from exc


_NATIVE_PICKLE_MODULE = (
    "torchcompat.load(weights_only=True) uses torch's weights-only unpickler; pickle_module "
    "is only allowed with weights_only=False (trusted files)"
)
_RESTRICTED_PICKLE_MODULE = (
    "torchcompat.load(weights_only=True) uses its own unpickler; pickle_module is only allowed with "
    "weights_only=False (trusted files)"
)


def restricted_load(env: Any, f: Any, map_location: Any = None, **kw: Any) -> Any:
    """Weights-only load through torchcompat's restricted unpickler (any torch >= 1.0); used by
    ``torchcompat.load`` below :data:`NATIVE_WEIGHTS_ONLY_FROM` and callable on any torch for tests.
    Bytes that are not an intact checkpoint raise :class:`InvalidCheckpointError`."""
    if "pickle_module" in kw:
        raise ValueError(_RESTRICTED_PICKLE_MODULE)
    start = _start_of(f)
    try:
        return _restricted_load(env, f, map_location, **kw)
    except Exception as exc:
        raise_if_invalid(f, start, exc)
        raise


def _restricted_load(env: Any, f: Any, map_location: Any = None, **kw: Any) -> Any:
    torch = env.torch
    load_args = _pickle_args(kw)
    sizes, script = _zip_layout(f)
    if script:
        raise UnsafeLoadError(
            "torchcompat.load(weights_only=True) refused this file: it is a TorchScript archive (code). "
            "If you trust it, use torch.jit.load(f)."
        )
    if sizes is not None and not env.accepts("save", "_use_new_zipfile_serialization"):
        raise pickle.UnpicklingError(
            "this file is a zip checkpoint (torch >= 1.6 format), which torch %s cannot read; re-save it on a "
            "newer torch with torchcompat.save(obj, f, legacy_format=True)" % env.version
        )
    module = _restricted().pickle_module(torch, _user_globals(env), load_args, sizes)
    module = guard_legacy_storages(env, module, f)  # torch < 1.11: no storage read may fail (use after free)
    if not _load_honours_pickle_module(env):
        return _load_with_module(torch, f, map_location, module, kw)
    if env.accepts("load", "weights_only"):
        kw["weights_only"] = False  # the restricted pickle_module does the checking
    return torch.load(f, map_location, pickle_module=module, **kw)


class _ModuleUsed(Exception):
    pass


def _load_honours_pickle_module(env: Any) -> bool:
    """Does ``torch.load(pickle_module=m)`` unpickle with ``m``? torch 1.13 replaces any pickle_module by
    stdlib pickle when ``weights_only=False`` (``else: pickle_module = pickle``; 2.0 fixed it), which would
    bypass the restricted unpickler entirely: probed once on a tiny in-memory file."""

    def check(torch: Any) -> bool:
        buf = io.BytesIO()
        torch.save(torch.zeros(1), buf)
        buf.seek(0)

        class Probe(pickle.Unpickler):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                raise _ModuleUsed()

        probe = types.ModuleType("pickle")  # torch's dill check reads the module's name
        probe.Unpickler = Probe  # type: ignore[attr-defined]
        probe.load = lambda *args, **kwargs: Probe()  # type: ignore[attr-defined]
        kw = {"weights_only": False} if env.accepts("load", "weights_only") else {}
        try:
            torch.load(buf, pickle_module=probe, **kw)
        except _ModuleUsed:
            return True
        except Exception:  # cannot tell: keep torch.load's own path
            return True
        return False  # loaded without asking the module: it was ignored

    return bool(env.behaves("load honours pickle_module", check))


def _load_with_module(torch: Any, f: Any, map_location: Any, module: Any, kw: Dict[str, Any]) -> Any:
    """torch.load's own dispatch (zip or legacy format) with ``module``, for a torch.load that would
    ignore it (1.13): ``torch.serialization._load`` / ``_legacy_load`` take the pickle module as given."""
    ser = torch.serialization
    kw.pop("weights_only", None)
    if kw:
        raise TypeError("torchcompat.load: unexpected arguments for torch %s: %s" % (torch.__version__, sorted(kw)))
    with ser._open_file_like(f, "rb") as opened:
        if ser._is_zipfile(opened):
            with ser._open_zipfile_reader(opened) as zipped:
                return ser._load(zipped, map_location, module)
        return ser._legacy_load(opened, map_location, module)


_GLOBAL_RE = re.compile(r"GLOBAL (\S+) was not an allowed global")
_BLOCKED_RE = re.compile(r"GLOBAL (\S+) whose module \S+ is blocked")


_OPCODE_RE = re.compile(r"Unsupported operand (\d+)")


def _native_load(env: Any, f: Any, map_location: Any, kw: Dict[str, Any]) -> Any:
    """torch's own weights-only load; a file it cannot parse (protocol 0/1 opcodes such as LONG, INST,
    FRAME) is retried with the restricted unpickler, which checks those opcodes too."""
    start = f.tell() if hasattr(f, "tell") and hasattr(f, "seek") else None
    try:
        if not kw:  # the common call, without catch_warnings (a copy and restore of the filters per call)
            return env.torch.load(f, map_location=map_location, weights_only=True)
        with warnings.catch_warnings():
            # torch warns that encoding= is ignored with weights_only=True, but its unpickler uses it.
            warnings.filterwarnings("ignore", message="pickle_load_args only works")
            return env.torch.load(f, map_location=map_location, weights_only=True, **kw)
    except pickle.UnpicklingError as exc:
        text = str(exc)
        detail = text.split("WeightsUnpickler error:", 1)[-1].split("Check the documentation", 1)[0].strip()
        detail = detail.splitlines()[0] if detail else "unpickling failed"
        if _OPCODE_RE.search(detail) and (start is not None or not hasattr(f, "read")):
            if start is not None:
                f.seek(start)
            return _restricted_load(env, f, map_location, **kw)
        found = _GLOBAL_RE.search(text) or _BLOCKED_RE.search(text)
        if found:
            name = found.group(1)
            if "." not in name:  # torch prints builtins without their module
                name = "builtins." + name
            raise UnsafeLoadError(describe_refusal(name, "torch: " + detail), name) from exc
        raise UnsafeLoadError(
            "torchcompat.load(weights_only=True) refused this file (torch: %s). If you trust the file: "
            "torchcompat.load(f, weights_only=False)" % detail
        ) from exc


def _check_loaded(env: Any, obj: Any) -> None:
    """Refuse loaded tensors that carry backward hooks (code): torch's own loaders keep them."""
    tensor = env.torch.Tensor
    stack, seen = [obj], set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, tensor):
            if getattr(item, "_backward_hooks", None):
                raise UnsafeLoadError(
                    "torchcompat.load(weights_only=True) refused this file: a tensor carries backward hooks "
                    "(callables run during backward). If you trust the file: torchcompat.load(f, weights_only=False)"
                )
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)


@SER_WEIGHTS_ONLY.adapter("load")
def _load(env: Any) -> Resolution:
    if not env.has("load"):
        return unavailable("1.0", "torch.load is missing")
    use_native = native_weights_only(env)
    takes_pickle_args = _takes_pickle_args(env)

    def load(f: Any, map_location: Any = None, *, weights_only: bool = True, **kw: Any) -> Any:
        """``torch.load`` that is safe by default on every release 1.0+.

        ``weights_only=True`` (default) unpickles only tensors, storages, primitive containers,
        OrderedDict and the allowlist (``torchcompat.add_safe_globals``): torch's own weights-only
        unpickler from torch 2.10, torchcompat's restricted unpickler below (torch's is missing before
        1.13 and unsound before 2.10: CVE-2025-32434, CVE-2026-24747). A refused file raises
        :class:`torchcompat.UnsafeLoadError` naming the global and the call that would allow it.
        Bytes that are not an intact checkpoint (empty, cut off, damaged, another format) raise
        :class:`torchcompat.InvalidCheckpointError` on every release and either ``weights_only``.
        ``weights_only=False`` must be asked for and warns once. Python 2 files: ``encoding='latin1'``.
        Upstream: https://github.com/pytorch/pytorch/pull/86812 (weights_only). Remove when torch >= 2.10.
        """
        if weights_only is not True and weights_only is not False:
            raise TypeError("weights_only must be True or False, got %r" % (weights_only,))
        if weights_only and "pickle_module" in kw:
            raise ValueError(_NATIVE_PICKLE_MODULE if use_native else _RESTRICTED_PICKLE_MODULE)
        start = _start_of(f)
        if not weights_only:
            _warn_unsafe()
            load_args = _pickle_args(kw)
            if load_args and not takes_pickle_args:
                kw["pickle_module"] = _plain_pickle_module(load_args)
            else:
                kw.update(load_args)
            module = kw.get("pickle_module", pickle)
            guarded = guard_legacy_storages(env, module, f)  # torch < 1.11: see _storages
            if guarded is not module:
                kw["pickle_module"] = guarded
            if env.accepts("load", "weights_only"):
                kw["weights_only"] = False
            try:
                return env.torch.load(f, map_location, **kw)
            except Exception as exc:
                raise_if_invalid(f, start, exc)
                raise
        try:
            if use_native:
                result = _native_load(env, f, map_location, kw)
            else:
                result = _restricted_load(env, f, map_location, **kw)
        except Exception as exc:
            raise_if_invalid(f, start, exc)  # not a checkpoint: before any other reading of the error
            if not isinstance(exc, UnicodeDecodeError) or "encoding" in kw:
                raise
            raise pickle.UnpicklingError(
                "%s: a file pickled by Python 2 needs torchcompat.load(f, encoding='latin1')" % exc
            ) from exc
        _check_loaded(env, result)
        return result

    return backport(load, "torch's weights-only unpickler" if use_native else "restricted unpickler")


@SER_SAFE_GLOBALS.adapter("add_safe_globals")
def _add_safe_globals(env: Any) -> Resolution:
    if native_weights_only(env):
        return native(env.get("serialization.add_safe_globals"))
    torch_add = env.get("serialization.add_safe_globals")  # 2.4-2.9: kept in step for torch.load users

    def add_safe_globals(safe_globals: List[Any]) -> None:
        """Allow these classes/functions in ``torchcompat.load(weights_only=True)``: each an object, or
        ``(object, "module.name")`` when the file names it differently. Backport of
        ``torch.serialization.add_safe_globals`` (https://github.com/pytorch/pytorch/pull/124331) for
        torchcompat's restricted unpickler; on torch 2.4-2.9 torch's own list is extended too.
        Remove when torch >= 2.10."""
        safe_globals = list(safe_globals)
        for name, obj in _entries(safe_globals):
            _SAFE_GLOBALS[name] = obj
        if torch_add:
            torch_add(safe_globals)

    return backport(add_safe_globals)


@SER_SAFE_GLOBALS.adapter("get_safe_globals")
def _get_safe_globals(env: Any) -> Resolution:
    if native_weights_only(env):
        return native(env.get("serialization.get_safe_globals"))

    def get_safe_globals() -> List[Any]:
        """The user-added allowlist of ``torchcompat.load`` (backport of
        ``torch.serialization.get_safe_globals``, PR #124331). Remove when torch >= 2.10."""
        return [obj if _qualified_name_or_none(obj) == name else (obj, name) for name, obj in _SAFE_GLOBALS.items()]

    return backport(get_safe_globals)


def _qualified_name_or_none(obj: Any) -> Optional[str]:
    try:
        return qualified_name(obj)
    except TypeError:
        return None


@SER_SAFE_GLOBALS.adapter("clear_safe_globals")
def _clear_safe_globals(env: Any) -> Resolution:
    if native_weights_only(env):
        return native(env.get("serialization.clear_safe_globals"))
    torch_clear = env.get("serialization.clear_safe_globals")

    def clear_safe_globals() -> None:
        """Empty the user-added allowlist of ``torchcompat.load`` (and torch's own on 2.4-2.9; backport of
        ``torch.serialization.clear_safe_globals``, PR #124331). Remove when torch >= 2.10."""
        _SAFE_GLOBALS.clear()
        if torch_clear:
            torch_clear()

    return backport(clear_safe_globals)


class _SafeGlobals:
    """``with torchcompat.safe_globals([...]):`` extends the allowlist of ``torchcompat.load`` inside the
    block only, and torch's own where torch has ``safe_globals`` (2.5-2.9). Backport of
    ``torch.serialization.safe_globals`` (https://github.com/pytorch/pytorch/pull/127939).
    Remove when torch >= 2.10."""

    _torch_cm: Any = None  # torch.serialization.safe_globals where present

    def __init__(self, safe_globals: List[Any]) -> None:
        self._globals = list(safe_globals)
        self._entries = _entries(self._globals)
        self._saved: List[Tuple[collections.OrderedDict, Any]] = []

    def __enter__(self) -> None:
        inner = self._torch_cm(self._globals) if self._torch_cm else None
        if inner is not None:
            inner.__enter__()
        self._saved.append((collections.OrderedDict(_SAFE_GLOBALS), inner))
        _SAFE_GLOBALS.update(self._entries)

    def __exit__(self, *exc: Any) -> None:
        saved, inner = self._saved.pop()
        _SAFE_GLOBALS.clear()
        _SAFE_GLOBALS.update(saved)
        if inner is not None:
            inner.__exit__(*exc)


@SER_SAFE_GLOBALS.adapter("safe_globals")
def _safe_globals(env: Any) -> Resolution:
    if native_weights_only(env):
        return native(env.get("serialization.safe_globals"))
    torch_cm = env.get("serialization.safe_globals")
    if not torch_cm:
        return backport(_SafeGlobals)
    return backport(
        type("safe_globals", (_SafeGlobals,), {"_torch_cm": staticmethod(torch_cm), "__doc__": _SafeGlobals.__doc__})
    )


@SER_WEIGHTS_ONLY.adapter("UnsafeLoadError")
def _unsafe_load_error(env: Any) -> Resolution:
    return backport(UnsafeLoadError, "torchcompat's refusal error (a pickle.UnpicklingError)")


@SER_ZIPFILE.adapter("save")
def _save(env: Any) -> Resolution:
    has_flag = env.accepts("save", "_use_new_zipfile_serialization")

    def save(obj: Any, f: Any, legacy_format: bool = False, **kw: Any) -> None:
        """``torch.save``; ``legacy_format=True`` writes the pre-1.6 (non-zip) format that torch 1.0-1.5
        can read (``_use_new_zipfile_serialization=False``, https://github.com/pytorch/pytorch/pull/29232).
        Below 1.6 every file is in that format already. Remove when torch 1.5 support is dropped."""
        if legacy_format and has_flag:
            kw["_use_new_zipfile_serialization"] = False
        return env.torch.save(obj, f, **kw)

    return backport(save)


def _submodule(module: Any, dotted: str) -> Any:
    """``module.get_submodule(dotted)`` (torch >= 1.9) on every release; None where the path leads nowhere."""
    for part in dotted.split("."):
        module = getattr(module, "_modules", {}).get(part)
        if module is None:
            return None
    return module


@SER_STATE_DICT_PREFIX.adapter("load_state_dict")
def _load_state_dict(env: Any) -> Resolution:
    torch = env.torch

    def load_state_dict(
        module: Any, state_dict: Any, strict: bool = True, strip_prefixes: Tuple[str, ...] = ("module.", "_orig_mod.")
    ) -> Any:
        """``module.load_state_dict(state_dict, strict)`` for state saved from DataParallel/DDP
        (``module.``) or ``torch.compile`` (``_orig_mod.``) wrappers and BatchNorm state from before 0.4.1
        (missing ``num_batches_tracked`` filled with 0; record nn-bn-num-batches-tracked). A prefix is
        stripped only when the module's own keys do not use it. Returns what ``load_state_dict`` returns. Like
        ``consume_prefix_in_state_dict_if_present`` (https://github.com/pytorch/pytorch/pull/53224);
        kept on every release for the BatchNorm and multi-prefix cases."""
        prefixes = (strip_prefixes,) if isinstance(strip_prefixes, str) else tuple(strip_prefixes)
        for k in state_dict:  # one plain loop: most state dicts need nothing from us
            if k.startswith(prefixes) or k.endswith("running_mean"):
                break
        else:
            return module.load_state_dict(state_dict, strict=strict)
        sd = state_dict  # copied only when something changes
        metadata = getattr(state_dict, "_metadata", None)
        own_keys = None
        changed = bool(prefixes) and any(k.startswith(prefixes) for k in sd)
        while changed:
            changed = False
            for prefix in prefixes:
                if not any(k.startswith(prefix) for k in sd):
                    continue
                if own_keys is None:
                    own_keys = list(module.state_dict().keys())
                if any(k.startswith(prefix) for k in own_keys):
                    continue
                sd = collections.OrderedDict(
                    (k[len(prefix) :] if k.startswith(prefix) else k, v) for k, v in sd.items()
                )
                if metadata is not None:
                    meta = collections.OrderedDict()
                    for k, v in metadata.items():
                        if k == prefix[:-1] if prefix.endswith(".") else k == prefix:
                            k = ""
                        elif k.startswith(prefix):
                            k = k[len(prefix) :]
                        meta[k] = v
                    metadata = meta
                changed = True
        # BatchNorm state from before 0.4.1: running stats without num_batches_tracked
        untracked = [k[: -len("running_mean")] for k in sd if k.endswith("running_mean")]
        untracked = [p for p in untracked if (not p or p.endswith(".")) and p + "num_batches_tracked" not in sd]
        if untracked:
            batchnorm = torch.nn.modules.batchnorm._BatchNorm
            for p in untracked:
                sub = _submodule(module, p[:-1]) if p else module
                if isinstance(sub, batchnorm) and getattr(sub, "num_batches_tracked", None) is not None:
                    if sd is state_dict:
                        sd = collections.OrderedDict(state_dict)
                    sd[p + "num_batches_tracked"] = torch.tensor(0, dtype=torch.long)
        if sd is not state_dict and metadata is not None:
            sd._metadata = metadata
        return module.load_state_dict(sd, strict=strict)

    return backport(load_state_dict)


__all__ = ["UnsafeLoadError", "InvalidCheckpointError", "UnsafeLoadWarning", "restricted_load", "native_weights_only"]
