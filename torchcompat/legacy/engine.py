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
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Set, Tuple, Union

from packaging.version import Version

from torchcompat.legacy import libraries
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
    "in_scope",
    "in_project",
    "own_prefixes",
    "set_project",
    "project",
    "uses",
    "set_recorder",
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


def _library_owner(target: str) -> Tuple[Any, str]:
    """``"torchvision:transforms.Scale"`` -> (the ``torchvision.transforms`` module, ``"Scale"``) once the script
    has imported it; (None, attr) before (:mod:`torchcompat.legacy.libraries` applies it at the import)."""
    module, attr = libraries.owner_module(target)
    return sys.modules.get(module), attr


def _resolve_owner(env: Any, target: str) -> Tuple[Any, str]:
    from torchcompat.probe import MISSING

    if ":" in target:
        return _library_owner(target)
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
            if not hold and libraries.defer(restore, era, torch_module):
                continue  # a library module not imported yet: applied when the script imports it
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
        libraries.clear()
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
#: (restore name, file) -> [first line, distinct lines, calls]: ``--explain``'s per-file report.
_uses: Dict[Tuple[str, str], List[int]] = {}
_prefixes: Tuple[str, ...] = (os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep,)


def _set_prefixes(torch_module: Any) -> None:
    global _prefixes
    own = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
    found = [own]
    torch_file = getattr(torch_module, "__file__", None)
    if torch_file:
        found.append(os.path.dirname(os.path.abspath(torch_file)) + os.sep)
    _prefixes = tuple(found)
    _verdicts.clear()


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


#: ``torchcompat run --trace``'s recorder (torchcompat.legacy.trace), called as (name, frame, operands).
_recorder: Optional[Callable[[str, types.FrameType, tuple], None]] = None


def set_recorder(recorder: Optional[Callable[[str, types.FrameType, tuple], None]]) -> None:
    """Install (or, with ``None``, remove) the run-time trace recorder that :func:`note` feeds."""
    global _recorder
    _recorder = recorder


def note(name: str, message: str, depth: int = 1, operands: tuple = ()) -> None:
    """Record that restore ``name`` was used by the caller ``depth`` frames up, and warn once per site.

    ``operands``: the values the restore acted on (tensors, ints); only a run-time trace reads them."""
    if _recorder is not None:
        _recorder(name, sys._getframe(depth), operands)
    filename, lineno = _site(depth)
    key = (name, filename, lineno)
    counts = _uses.get((name, filename))
    if counts is None:
        counts = _uses[(name, filename)] = [lineno, 0, 0]
    counts[2] += 1
    if key in _sites:
        return
    _sites.add(key)
    counts[1] += 1
    _first.setdefault(name, (filename, lineno))
    warnings.warn_explicit("torchcompat: " + message, RestoredWarning, filename, lineno)


def first_uses() -> Dict[str, Tuple[str, int]]:
    """``{restore name: (file, line)}`` of the first use of each restore since the last reset."""
    return dict(_first)


def reset_uses() -> None:
    """Forget the recorded use sites (the next use of each warns again)."""
    _first.clear()
    _sites.clear()
    _uses.clear()


def uses() -> Dict[Tuple[str, str], Tuple[int, int, int]]:
    """``{(restore name, file): (first line, distinct lines, calls)}`` since the last reset (``--explain``)."""
    return {key: (v[0], v[1], v[2]) for key, v in _uses.items()}


# -- project scope: meaning-changing restores apply to the project's own code only -------------------

#: Real paths (ending in os.sep) of the project's folders; ``None``: scope off, every caller is in scope.
_project: Optional[Tuple[str, ...]] = None
#: Folders under the project that are not project code (a virtualenv, site-packages, the stdlib).
_not_project: Tuple[str, ...] = ()
#: co_filename -> True (project code), False (third-party), None (torch, torchcompat, generated code: look
#: further up). One dict lookup per frame after the first call from a file.
_verdicts: Dict[str, Optional[bool]] = {}
_THIRD_PARTY_PARTS = (os.sep + "site-packages" + os.sep, os.sep + "dist-packages" + os.sep)


def set_project(roots: Optional[Iterable[str]]) -> None:
    """Make the meaning-changing restores apply only to code under ``roots`` (folders: the legacy project's
    tree); ``None`` turns the scope off (every caller gets the legacy meaning, as :func:`patch` alone does).
    Site-packages, virtualenvs and the Python installation under a root are never project code."""
    global _project, _not_project
    import sysconfig

    with _lock:
        _verdicts.clear()
        if roots is None:
            _project, _not_project = None, ()
            return
        found = tuple(os.path.join(os.path.realpath(os.path.abspath(r)), "") for r in roots)
        if not found:
            raise ValueError("set_project() needs at least one folder, or None")
        paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, getattr(sys, "base_exec_prefix", sys.prefix)}
        for key in ("stdlib", "platstdlib", "purelib", "platlib"):
            try:
                paths.add(sysconfig.get_path(key))
            except KeyError:  # pragma: no cover - a scheme without it
                pass
        real = {os.path.join(os.path.realpath(p), "") for p in paths if p}
        _not_project = tuple(sorted(p for p in real if p.startswith(found) and p not in found))
        _project = found


def project() -> Optional[Tuple[str, ...]]:
    """The project folders set by :func:`set_project` (``None``: scope off)."""
    return _project


def _verdict(filename: str) -> Optional[bool]:
    """Is ``filename`` project code (True), third-party (False), or torch/torchcompat/generated (None)?"""
    if filename.startswith("<") or filename.startswith(_prefixes):
        verdict: Optional[bool] = None
    else:
        path = os.path.realpath(os.path.abspath(filename))
        if path.startswith(_prefixes):
            verdict = None
        else:
            root = next((r for r in _project or () if path.startswith(r)), None)
            verdict = (
                root is not None
                and not path.startswith(_not_project)
                and not any(part in path[len(root) - 1 :] for part in _THIRD_PARTY_PARTS)
            )
    _verdicts[filename] = verdict
    return verdict


def in_project(filename: str) -> bool:
    """Is ``filename`` (a code object's ``co_filename``) project code under :func:`set_project`'s folders?"""
    verdict = _verdicts[filename] if filename in _verdicts else _verdict(filename)
    return verdict is True


def own_prefixes() -> Tuple[str, ...]:
    """The folders of torchcompat and of the patched torch: their frames are skipped to find the caller."""
    return _prefixes


def in_scope(depth: int = 1) -> bool:
    """Should a meaning-changing restore give the legacy meaning to its caller?

    True when the first frame outside torch and torchcompat, starting ``depth`` frames above the caller of
    ``in_scope``, is project code (see :func:`set_project`); False for third-party code (site-packages,
    the stdlib, anything outside the project tree), which then gets torch's own behaviour. Always True when
    the scope is off (:func:`patch` without a project, ``torchcompat run --all-modules``). Call it only on
    the legacy path (after the wrapper decided the input is a legacy case): it walks frames, one dict
    lookup each once a file has been seen. A WRAP restore that changes meaning::

        if is_legacy_case(x) and in_scope():
            note(...)
            return legacy_result
        return original(x)
    """
    if _project is None:
        return True
    try:
        frame: Optional[types.FrameType] = sys._getframe(depth + 1)
    except ValueError:
        return True
    verdicts = _verdicts
    while frame is not None:
        filename = frame.f_code.co_filename
        verdict = verdicts[filename] if filename in verdicts else _verdict(filename)
        if verdict is not None:
            return verdict
        frame = frame.f_back
    return True
