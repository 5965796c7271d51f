"""``torch.load`` under torch >= 2.6 (``weights_only=True`` by default) for what old scripts load.

- a checkpoint this run wrote with ``torch.save`` is trusted (the script pickled it itself), whether the
  save and the load name a path or pass a file object (``with open(p, "wb") as f: torch.save(m, f)``):
  the file is recognised by its identity (device, inode) and stamp (size, mtime, ctime) after the save, so
  a file changed or replaced since is not trusted (a same-size rewrite within one timestamp tick of a
  coarse-clocked file system would not show), nor one that also holds bytes the run did not save there;
  an in-memory ``io.BytesIO`` is trusted only if it is the very buffer this run saved into and its bytes
  are unchanged (a digest); other file-likes (``gzip`` files, sockets, custom readers) never are;
- plain data (numeric numpy arrays, ``argparse.Namespace``, builtin containers) loads through an
  extended ``weights_only`` allowlist;
- anything else (a whole pickled model from elsewhere) loads only with an explicit opt-in:
  ``torchcompat run --trust-checkpoints`` or ``TORCHCOMPAT_TRUST_CHECKPOINTS=1``; otherwise the error
  says how to allow it. Never silently.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import io
import os
import pickle
import stat
import threading
import weakref
from typing import Any, Dict, List, Optional, Sequence, Tuple

from torchcompat.legacy.engine import note
from torchcompat.legacy.face import WRAP, Restore, attach
from torchcompat.shifts.serialization import SER_WEIGHTS_ONLY, raise_if_invalid

__all__ = [
    "TRUST_ENV",
    "TRUST_FLAG",
    "trust_checkpoints",
    "trusted",
    "set_run_command",
    "written_by_this_run",
    "plain_data_globals",
    "UntrustedCheckpointError",
]

#: Environment variable that opts in to unpickling any checkpoint (``=1``).
TRUST_ENV = "TORCHCOMPAT_TRUST_CHECKPOINTS"
#: The ``torchcompat run`` flag that does the same.
TRUST_FLAG = "--trust-checkpoints"

_trust = False
_lock = threading.RLock()


class _Written:
    """What this run's saves left in one file or buffer: its state after the last save (a file's
    (size, mtime_ns, ctime_ns), a buffer's digest), and the offsets those saves began at."""

    __slots__ = ("state", "starts", "ref")

    def __init__(self, state: Any, starts: Tuple[int, ...], ref: Any = None) -> None:
        self.state = state
        self.starts = starts
        self.ref = ref  # a buffer's weak reference: its id alone may be reused by another object


#: (st_dev, st_ino) of regular files this run saved into.
_written_files: Dict[Tuple[int, int], _Written] = {}
#: realpath -> (st_dev, st_ino) of the files above, to tell "replaced since" from "never written".
_written_names: Dict[str, Tuple[int, int]] = {}
#: id() of ``io.BytesIO`` buffers this run saved into.
_written_buffers: Dict[int, _Written] = {}
#: ``[script, args...]`` while ``torchcompat run`` runs a script: the command the refusal message repeats.
_run_command: Optional[List[str]] = None


class UntrustedCheckpointError(pickle.UnpicklingError):
    """``torch.load`` refused to unpickle arbitrary objects from a file this run did not write.

    ``original`` is torch's own ``weights_only`` error."""

    original: Optional[BaseException] = None


def trust_checkpoints(flag: bool = True) -> None:
    """Allow (or stop allowing) ``torch.load`` to unpickle any object, as ``--trust-checkpoints`` does."""
    global _trust
    _trust = bool(flag)


def trusted() -> bool:
    """Is unpickling of arbitrary checkpoints allowed (flag or ``TORCHCOMPAT_TRUST_CHECKPOINTS=1``)?"""
    return _trust or os.environ.get(TRUST_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def set_run_command(argv: Optional[Sequence[str]]) -> None:
    """Tell the refusal message the ``torchcompat run`` command line (``[script, args...]``; ``None`` after)."""
    global _run_command
    _run_command = None if argv is None else [str(a) for a in argv]


def _path_of(f: Any) -> Optional[str]:
    if isinstance(f, (str, bytes)) or hasattr(f, "__fspath__"):
        try:
            return os.path.realpath(os.fsdecode(os.fspath(f)))
        except (TypeError, ValueError):
            return None
    return None


_FILE_TYPES = (io.FileIO, io.BufferedReader, io.BufferedWriter, io.BufferedRandom)


def _real_file(f: Any) -> Optional[Any]:
    """The binary file object behind ``f`` when its bytes are those of a file on disk (``open(p, "rb")``,
    ``tempfile.TemporaryFile()``, ``NamedTemporaryFile()``); ``None`` for anything else (wrappers that
    transform the bytes such as ``gzip``, sockets, in-memory buffers)."""
    inner = f if isinstance(f, _FILE_TYPES) else getattr(f, "file", None)
    if not isinstance(inner, _FILE_TYPES):
        return None
    try:
        inner.fileno()
    except (OSError, ValueError):
        return None
    return inner


def _position(f: Any) -> Optional[int]:
    try:
        return int(f.tell())
    except (AttributeError, OSError, ValueError, TypeError):
        return None


def _file_state(f: Any) -> Optional[Tuple[Tuple[int, int], Tuple[int, int, int]]]:
    """``((st_dev, st_ino), (size, mtime_ns, ctime_ns))`` of the regular file behind a path or a real file
    object (flushed first, so that what the script wrote is on disk), else ``None``."""
    path = _path_of(f)
    try:
        if path is not None:
            st = os.stat(path)
        else:
            inner = _real_file(f)
            if inner is None:
                return None
            if inner.writable():
                inner.flush()
            st = os.fstat(inner.fileno())
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return (st.st_dev, st.st_ino), (st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _name_of(f: Any) -> Optional[str]:
    """The real path a path or a file object names (``open()``'s ``name``), if any."""
    path = _path_of(f)
    if path is not None:
        return path
    name = getattr(_real_file(f), "name", None)
    return _path_of(name) if isinstance(name, (str, bytes)) else None


def _digest(buffer: io.BytesIO) -> Tuple[bytes, int]:
    view = buffer.getbuffer()
    try:
        return hashlib.blake2b(view, digest_size=32).digest(), view.nbytes
    finally:
        view.release()  # a BytesIO cannot grow while a view of it is alive


def _buffer_record(f: Any) -> Optional[_Written]:
    found = _written_buffers.get(id(f))
    return found if found is not None and found.ref() is f else None


def _forget_buffer(key: int) -> Any:
    def forget(_ref: Any) -> None:
        with _lock:
            found = _written_buffers.get(key)
            if found is not None and found.ref is _ref:
                del _written_buffers[key]

    return forget


def _before_save(f: Any) -> Tuple[Optional[int], Any]:
    """Where a save into the file object ``f`` begins, and the state of what it saves into then (compared
    after the save: a save that continues our previous one keeps it trusted only if nothing changed between)."""
    if _path_of(f) is not None:
        return 0, None
    if isinstance(f, io.BytesIO):
        with _lock:
            known = _buffer_record(f) is not None
        return _position(f), (_digest(f) if known else None)
    state = _file_state(f)
    return _position(f), (None if state is None else state[1])


def _starts_after(
    start: Optional[int], end: Optional[int], size: int, old: Optional[_Written], old_size: int, before: Any
) -> Optional[Tuple[int, ...]]:
    """The save offsets to trust after a save from ``start`` to ``end`` into something now ``size`` long, or
    ``None`` when it also holds bytes that are not ours: the save must end at the end, and begin at 0 or
    where our previous save ended, the contents unchanged since (``before`` is their state when it began)."""
    if start is None or end is None or end != size:
        return None
    if start == 0:
        return (0,)
    if old is None or before is None or old.state != before or start != old_size:
        return None
    return old.starts + (start,)


def _remember(f: Any, start: Optional[int], before: Any) -> None:
    """After ``torch.save(obj, f)`` returned: record what it left, if all of the file or buffer is ours."""
    path = _path_of(f)
    if path is not None:
        state = _file_state(f)
        if state is not None:
            with _lock:
                _written_files[state[0]] = _Written(state[1], (0,))  # a save to a path writes the whole file
                _written_names[path] = state[0]
        return
    if isinstance(f, io.BytesIO):
        digest = _digest(f)
        key = id(f)
        with _lock:
            old = _buffer_record(f)
            starts = _starts_after(start, _position(f), digest[1], old, -1 if old is None else old.state[1], before)
            if starts is None:
                _written_buffers.pop(key, None)
            else:
                ref = old.ref if old is not None else weakref.ref(f, _forget_buffer(key))
                _written_buffers[key] = _Written(digest, starts, ref)
        return
    state = _file_state(f)
    if state is None:
        return
    identity, stamp = state
    with _lock:
        old = _written_files.get(identity)
        starts = _starts_after(start, _position(f), stamp[0], old, -1 if old is None else old.state[0], before)
        if starts is None:
            _written_files.pop(identity, None)
        else:
            _written_files[identity] = _Written(stamp, starts)
            name = _name_of(f)
            if name is not None:
                _written_names[name] = identity


def written_by_this_run(f: Any) -> Tuple[bool, str]:
    """Did this run's ``torch.save`` write what ``torch.load(f)`` would read, unchanged since?

    ``f`` is a path or a file object about to be loaded from its position. Returns ``(answer, why not)``."""
    path = _path_of(f)
    if path is None and isinstance(f, io.BytesIO):
        with _lock:
            found = _buffer_record(f)
        if found is None:
            return False, "an in-memory buffer this run did not save into"
        if _digest(f) != found.state:
            return False, "an in-memory buffer changed since this run saved into it"
        if _position(f) not in found.starts:
            return False, "an in-memory buffer read from an offset where no save of this run began"
        return True, ""
    if path is None and _real_file(f) is None:
        return False, "a file-like object whose bytes are not those of a file on disk"
    state = _file_state(f)
    if state is None:
        return False, "not a regular file"
    with _lock:
        found = _written_files.get(state[0])
        replaced = _written_names.get(_name_of(f) or "") not in (None, state[0])
    if found is None:
        return False, "replaced since this run wrote it" if replaced else "not written by this run"
    if found.state != state[1]:
        return False, "changed or replaced since this run wrote it"
    if (0 if path is not None else _position(f)) not in found.starts:
        return False, "read from an offset where no save of this run began"
    return True, ""


def plain_data_globals(numpy: Any = None) -> List[Any]:
    """The extra ``weights_only`` allowlist: numeric numpy arrays and scalars, ``argparse.Namespace``."""
    found: List[Any] = [argparse.Namespace]
    if numpy is None:
        try:
            import numpy
        except ImportError:
            return found
    found += [numpy.ndarray, numpy.dtype]
    for module_name in ("numpy._core.multiarray", "numpy.core.multiarray"):
        try:
            module = __import__(module_name, fromlist=["_reconstruct"])
        except ImportError:
            continue
        for name in ("_reconstruct", "scalar"):
            fn = getattr(module, name, None)
            if fn is not None:
                found.append((fn, "numpy.core.multiarray." + name))
                found.append((fn, "numpy._core.multiarray." + name))
        break
    for code in "?bhilqBHILQefdgFDG":
        try:
            found.append(type(numpy.dtype(code)))
        except TypeError:  # pragma: no cover
            pass
    return found


def _safe_globals(env: Any) -> Any:
    """A ``safe_globals([...])`` context manager: torchcompat's own adapter when declared, else torch's."""
    from torchcompat.registry import REGISTRY, Binding

    try:
        REGISTRY.adapter("safe_globals")
        return Binding(env.torch).resolve("safe_globals")
    except KeyError:
        return env.torch.serialization.safe_globals


def _where(f: Any) -> str:
    if _path_of(f) is not None:
        return repr(os.fsdecode(os.fspath(f)))
    name = getattr(f, "name", None)
    if isinstance(name, (str, bytes)):
        return "file object %r" % os.fsdecode(name)
    return "a %s object" % type(f).__name__


def _key_line(error: BaseException) -> str:
    """The sentence of torch's weights_only error that names what was refused (``Unsupported global: ...``)."""
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    for line in lines:
        if "WeightsUnpickler error:" in line:
            line = line.split("WeightsUnpickler error:", 1)[1].strip()
            return line.split(" Please use ", 1)[0]
    return lines[-1] if lines else type(error).__name__


def _how_to_trust() -> str:
    """The exact opt-in: the ``torchcompat run`` command line again with the flag, or the in-process calls."""
    if _run_command is not None:
        import shlex

        command = " ".join(shlex.quote(a) for a in ["torchcompat", "run", TRUST_FLAG] + _run_command)
        return "rerun as `%s` (or set %s=1)" % (command, TRUST_ENV)
    return "set %s=1, or call torchcompat.legacy.restores.serialization.trust_checkpoints() before loading" % (
        TRUST_ENV
    )


def _refusal(f: Any, why: str, error: BaseException) -> str:
    return (
        "torchcompat: torch.load refused to unpickle %s (%s): torch >= 2.6 loads with weights_only=True, "
        "and only a checkpoint this run saved loads in full (this one: %s). If you trust it, %s; or call "
        "torch.load(..., weights_only=False) yourself." % (_where(f), _key_line(error), why, _how_to_trust())
    )


def _load(env: Any, era: str, original: Any) -> Any:
    numpy_globals = plain_data_globals()

    @functools.wraps(original)
    def load(f: Any, *args: Any, **kwargs: Any) -> Any:
        if "weights_only" in kwargs or len(args) >= 2 or kwargs.get("pickle_module") is not None:
            return original(f, *args, **kwargs)
        ours, why = written_by_this_run(f)
        if ours:
            note("torch.load", "torch.load of a file this run saved: loaded with weights_only=False", 1)
            return original(f, *args, weights_only=False, **kwargs)
        position = _position(f) if hasattr(f, "seek") else None
        try:
            with _safe_globals(env)(numpy_globals):
                return original(f, *args, weights_only=True, **kwargs)
        except Exception as error:
            # bytes that are no intact checkpoint: one clear error (InvalidCheckpointError), not a refusal
            raise_if_invalid(f, position, error)
            if not isinstance(error, pickle.UnpicklingError):
                raise
            if position is not None:
                f.seek(position)
            if trusted():
                note("torch.load", "torch.load of an untrusted file allowed by --trust-checkpoints", 1)
                return original(f, *args, weights_only=False, **kwargs)
            refused = UntrustedCheckpointError(_refusal(f, why, error))
            refused.original = error  # torch's own error, kept; not chained (the message quotes its key line)
            raise refused from None

    return load


def _save(env: Any, era: str, original: Any) -> Any:
    @functools.wraps(original)
    def save(obj: Any, f: Any, *args: Any, **kwargs: Any) -> Any:
        start, before = _before_save(f)
        result = original(obj, f, *args, **kwargs)
        _remember(f, start, before)
        return result

    return save


def _weights_only_default(env: Any) -> bool:
    return env.accepts("load", "weights_only") and env.at_least("2.6")


attach(
    SER_WEIGHTS_ONLY,
    Restore(
        "load",
        _load,
        WRAP,
        name="torch.load",
        needed=_weights_only_default,
        summary="torch.load of what old scripts load under torch >= 2.6",
    ),
)
attach(
    SER_WEIGHTS_ONLY,
    Restore(
        "save",
        _save,
        WRAP,
        name="torch.save",
        needed=_weights_only_default,
        summary="torch.save remembers the files this run wrote (they load as trusted)",
    ),
)
