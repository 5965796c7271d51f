"""The patch engine: apply the ``"restore"`` faces to the running torch, and undo them exactly.

Every change is recorded as (owner, attribute, was it in ``owner.__dict__``, its raw value there);
:func:`unpatch` puts the raw values back, or deletes what was added, in reverse order, so that
``dir()`` and the identity of every attribute are what they were. Modules put in ``sys.modules`` are
removed again. A lock makes :func:`patch`/:func:`unpatch` thread-safe; patching twice is patching once.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import types
import warnings
from typing import Any, Dict, Iterable, Iterator, List, Optional, Set, Tuple, Union

from packaging.version import Version

from torchcompat.legacy.face import ADD, FROM_RECORD, MODULE, Restore, all_restores

__all__ = [
    "ERAS",
    "RestoredWarning",
    "patch",
    "unpatch",
    "patched",
    "is_patched",
    "applied",
    "note",
    "first_uses",
    "reset_uses",
    "is_removed_stub",
]

#: Eras ``patch(era=...)`` understands: the release whose behaviour legacy code expects.
ERAS = ("0.3", "0.4", "1.0", "1.1", "1.2", "1.3", "1.4")

_MISSING = object()


class RestoredWarning(UserWarning):
    """A legacy API or behaviour was used and restored by :mod:`torchcompat.legacy` (one per call site)."""


class _Change:
    __slots__ = (
        "name",
        "shift_id",
        "owner",
        "attr",
        "had",
        "old",
        "new",
        "module_key",
        "old_module",
        "holds",
        "explicit",
    )

    def __init__(
        self,
        name: str,
        shift_id: str,
        owner: Any,
        attr: str,
        had: bool,
        old: Any,
        new: Any,
        module_key: Optional[str] = None,
        old_module: Any = _MISSING,
    ) -> None:
        self.name = name
        self.shift_id = shift_id
        self.owner = owner
        self.attr = attr
        self.had = had
        self.old = old
        self.new = new
        self.module_key = module_key
        self.old_module = old_module
        self.holds = 0  # patched() blocks using it
        self.explicit = False  # applied or re-asked by patch()


_lock = threading.RLock()
_changes: List[_Change] = []
_era: Optional[str] = None
_torch: Any = None


def is_patched() -> bool:
    """Is any restore applied now?"""
    return bool(_changes)


def applied() -> List[Tuple[str, str, str]]:
    """The restores applied now, as ``(restore name, shift id, target)``."""
    with _lock:
        return [(c.name, c.shift_id, _target_of(c)) for c in _changes]


def _target_of(change: _Change) -> str:
    owner = getattr(change.owner, "__qualname__", None) or getattr(change.owner, "__name__", "?")
    return "%s.%s" % (owner, change.attr)


def is_removed_stub(obj: Any) -> bool:
    """True for a function torch keeps only to raise "... is now removed" (2.x ``torch.solve`` ...)."""
    code = getattr(obj, "__code__", None)
    if code is None:
        return False
    return any(isinstance(c, str) and ("is now removed" in c or "has been removed" in c) for c in code.co_consts)


def _era_key(era: str) -> Version:
    if str(era) not in ERAS:
        raise ValueError("unknown era %r: choose one of %s" % (era, ", ".join(ERAS)))
    return Version(str(era))


def _select(select: Union[None, str, Iterable[str]], found: List[Tuple[str, Restore]]) -> List[Tuple[str, Restore]]:
    if select is None:
        return found
    wanted = [s.strip() for s in (select.split(",") if isinstance(select, str) else select) if s.strip()]
    known = set()
    for shift_id, r in found:
        known.update((shift_id, r.name, r.target))
    unknown = [w for w in wanted if w not in known]
    if unknown:
        raise ValueError(
            "unknown restore %s; known: %s"
            % (", ".join(map(repr, unknown)), ", ".join(sorted({r.name for _, r in found})))
        )
    chosen = set(wanted)
    return [(s, r) for s, r in found if s in chosen or r.name in chosen or r.target in chosen]


def _resolve_owner(env: Any, target: str) -> Tuple[Any, str]:
    from torchcompat.probe import MISSING

    owner_path, _, attr = target.rpartition(".")
    owner = env.torch if not owner_path else env.get(owner_path)
    return (None if owner is MISSING else owner), attr


def _plan(env: Any, era: str, shift_id: str, restore: Restore) -> Optional[_Change]:
    """What applying ``restore`` on ``env`` would change, or ``None`` when this torch does not need it."""
    if restore.until not in (None, FROM_RECORD) and _era_key(era) >= Version(restore.until):
        return None
    owner, attr = _resolve_owner(env, restore.target)
    if owner is None:
        return None
    raw = vars(owner).get(attr, _MISSING) if hasattr(owner, "__dict__") else _MISSING
    current = getattr(owner, attr, _MISSING)
    if attr == "__class__":  # a module made callable: its class is swapped, and swapped back
        raw = current
    if restore.kind == MODULE:
        key = "%s.%s" % (env.torch.__name__, restore.target)
        if current is not _MISSING or key in sys.modules or _importable(key):
            return None
        if restore.needed is not None and not restore.needed(env):
            return None
        new = restore.factory(env, era, None)
        return _Change(
            restore.name, shift_id, owner, attr, raw is not _MISSING, raw, new, key, sys.modules.get(key, _MISSING)
        )
    if restore.kind == ADD:
        if current is not _MISSING and not is_removed_stub(current):
            return None
    elif current is _MISSING:  # WRAP of something this torch does not have
        return None
    if restore.needed is not None and not restore.needed(env):
        return None
    new = restore.factory(env, era, None if current is _MISSING else current)
    if new is None:
        return None
    return _Change(restore.name, shift_id, owner, attr, raw is not _MISSING, raw, new)


def _importable(name: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError, AttributeError):
        return False


def _sq_item_slot(cls: Any) -> Optional[Any]:
    """The address of ``cls->tp_as_sequence->sq_item`` as a ctypes pointer (CPython, non-debug build)."""
    import ctypes

    if sys.implementation.name != "cpython" or hasattr(sys, "getobjects") or not isinstance(cls, type):
        return None
    size = ctypes.sizeof(ctypes.c_void_p)
    seq = ctypes.c_void_p.from_address(id(cls) + 13 * size).value  # tp_as_sequence (stable 3.7-3.13)
    if not seq:
        return None
    return ctypes.c_void_p.from_address(seq + 3 * size)  # PySequenceMethods.sq_item


def _apply(change: _Change) -> None:
    if change.module_key is not None:
        sys.modules[change.module_key] = change.new
    keep_non_sequence = None
    if change.attr == "__getitem__" and isinstance(change.owner, type):
        # A Python __getitem__ fills sq_item too, and torch.tensor([t0, t1]) would then take a 0-dim
        # tensor for a sequence (len() of a 0-d tensor). Keep the type a non-sequence, as it was.
        slot = _sq_item_slot(change.owner)
        keep_non_sequence = slot is not None and not slot.value
    setattr(change.owner, change.attr, change.new)
    if keep_non_sequence:
        slot = _sq_item_slot(change.owner)
        if slot is not None:
            slot.value = None


def _undo(change: _Change) -> None:
    if change.had:
        setattr(change.owner, change.attr, change.old)
    else:
        try:
            delattr(change.owner, change.attr)
        except AttributeError:
            pass
    if change.module_key is not None:
        if change.old_module is _MISSING:
            sys.modules.pop(change.module_key, None)
        else:
            sys.modules[change.module_key] = change.old_module


def patch(select: Union[None, str, Iterable[str]] = None, era: str = "0.4", torch_module: Any = None) -> List[str]:
    """Restore, on the running torch, the old APIs and behaviours legacy code relies on.

    ``select``: restore names, targets or shift ids (a list, or a comma-separated string); ``None``
    means all. ``era``: which release the code was written for (see :data:`ERAS`). Idempotent: a
    restore already applied is not applied again. Returns the names applied by this call.
    """
    return _patch(select, era, torch_module, hold=False)[0]


def _patch(
    select: Union[None, str, Iterable[str]], era: str, torch_module: Any, hold: bool
) -> Tuple[List[str], List[_Change]]:
    global _era, _torch
    era = str(era)
    _era_key(era)
    with _lock:
        if torch_module is None:
            import torch as torch_module
        from torchcompat.probe import TorchEnv

        env = TorchEnv.of(torch_module)
        if _changes and (_torch is not torch_module or _era != era):
            raise RuntimeError(
                "torchcompat.legacy is already patched for era %s on %r; unpatch() first" % (_era, _torch)
            )
        _torch, _era = torch_module, era
        _set_prefixes(torch_module)
        done = {(id(c.owner), c.attr): c for c in _changes}
        names: List[str] = []
        acquired: List[_Change] = []
        for shift_id, restore in _select(select, all_restores()):
            owner, attr = _resolve_owner(env, restore.target)
            existing = done.get((id(owner), attr)) if owner is not None else None
            if existing is not None:
                if hold:
                    if existing not in acquired:
                        existing.holds += 1
                        acquired.append(existing)
                else:
                    existing.explicit = True
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                change = _plan(env, era, shift_id, restore)
            if change is None:
                continue
            _apply(change)
            _changes.append(change)
            if hold:
                change.holds = 1
                acquired.append(change)
            else:
                change.explicit = True
            done[(id(change.owner), change.attr)] = change
            if change.name not in names:
                names.append(change.name)
        if not _changes:
            _era = _torch = None
        return names, acquired


def unpatch() -> None:
    """Undo every restore applied by :func:`patch` or an open :func:`patched` block, exactly."""
    global _era, _torch
    with _lock:
        while _changes:
            _undo(_changes.pop())
        _era = _torch = None


def _release(acquired: List[_Change]) -> None:
    global _era, _torch
    with _lock:
        for change in acquired:
            change.holds -= 1
        for change in reversed(list(_changes)):
            if change.holds <= 0 and not change.explicit:
                _undo(change)
                _changes.remove(change)
        if not _changes:
            _era = _torch = None


@contextlib.contextmanager
def patched(
    select: Union[None, str, Iterable[str]] = None, era: str = "0.4", torch_module: Any = None
) -> Iterator[List[str]]:
    """``with patched():`` restores on entry; on exit undoes what no other open block (in any thread) and
    no :func:`patch` call still uses. Yields the names this block applied."""
    names, acquired = _patch(select, era, torch_module, hold=True)
    try:
        yield names
    finally:
        _release(acquired)


# -- use sites: one warning per call site, and the first site of each restore for --explain ---------

_first: Dict[str, Tuple[str, int]] = {}
_sites: Set[Tuple[str, str, int]] = set()
_prefixes: Tuple[str, ...] = (os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep,)


def _set_prefixes(torch_module: Any) -> None:
    global _prefixes
    own = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
    found = [own]
    torch_file = getattr(torch_module, "__file__", None)
    if torch_file:
        found.append(os.path.dirname(os.path.abspath(torch_file)) + os.sep)
    _prefixes = tuple(found)


def _site(depth: int) -> Tuple[str, int]:
    """The first frame above ours outside torch and torchcompat: the legacy code's own line."""
    try:
        frame: Optional[types.FrameType] = sys._getframe(depth + 1)
    except ValueError:
        return ("?", 0)
    first = None
    while frame is not None:
        filename = frame.f_code.co_filename
        if first is None:
            first = (filename, frame.f_lineno)
        if not filename.startswith(_prefixes) and not filename.startswith("<frozen"):
            return (filename, frame.f_lineno)
        frame = frame.f_back
    return first or ("?", 0)


def note(name: str, message: str, depth: int = 1) -> None:
    """Record that restore ``name`` was used by the caller ``depth`` frames up, and warn once per site."""
    filename, lineno = _site(depth)
    key = (name, filename, lineno)
    if key in _sites:
        return
    _sites.add(key)
    _first.setdefault(name, (filename, lineno))
    warnings.warn_explicit("torchcompat: " + message, RestoredWarning, filename, lineno)


def first_uses() -> Dict[str, Tuple[str, int]]:
    """``{restore name: (file, line)}`` of the first use of each restore since the last reset."""
    return dict(_first)


def reset_uses() -> None:
    """Forget the recorded use sites (the next use of each warns again)."""
    _first.clear()
    _sites.clear()
