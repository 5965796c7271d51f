"""Corrupt or refused? Classify a failed ``torchcompat.load`` by its bytes: :func:`invalid_checkpoint` returns the
:class:`InvalidCheckpointError` to raise when the file is not an intact torch checkpoint.

The walk (:func:`checkpoint_damage`) re-reads the zip or legacy container without executing anything; it runs
only after a load failed, so a good load never pays for it.
"""

from __future__ import annotations

import io
import os
import pickle
import struct
import traceback
import zipfile
from typing import Any, List, Optional, Tuple

from torchcompat.shifts.serialization._policy import UnsafeLoadError, _op, is_blocked


class InvalidCheckpointError(pickle.UnpicklingError):
    """``torchcompat.load`` was given bytes that are not a torch checkpoint, or one that is cut off or damaged.

    ``.filename`` names the file (its path, the file object's name, or ``"<bytes buffer>"``); ``.reason``
    says what is wrong. The error torch (or the unpickler) raised is chained as ``__cause__``.
    """

    def __init__(self, message: str, filename: Optional[str] = None, reason: Optional[str] = None) -> None:
        super().__init__(message)
        self.filename = filename
        self.reason = reason


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
        element = element_size(name)
        if element is None:
            raise _CantTell("storage class %s" % name)
        head = fh.read(8)
        if len(head) < 8:
            return "the data of storage %r is missing (the file ends at byte %d)" % (key, end - start)
        count = struct.unpack("<q", head)[0]
        if count < 0:
            return "storage %r has a negative size" % (key,)
        short = storage_cut_off_at(key, count * element, fh.tell(), end)
        if short is not None:
            return short
        fh.seek(count * element, 1)
    return None


def element_size(storage_name: str) -> Optional[int]:
    """Bytes per element of a legacy storage class by its name (``FloatStorage`` or ``Float`` -> 4), None when
    unknown."""
    return _ELEMENT_SIZES.get(storage_name[: -len("Storage")] if storage_name.endswith("Storage") else storage_name)


def storage_cut_off_at(key: Any, need: int, data_at: int, end: int) -> Optional[str]:
    """Why storage ``key``'s ``need`` data bytes from ``data_at`` are not all in a file ending at ``end``, or None."""
    have = end - data_at
    if have < need:
        return "the data of storage %r is cut off (%d of its %d bytes are there)" % (key, max(have, 0), need)
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
    but holds none of the half-read tensors. (The torch 1.0 - 1.10 abort when such a storage was freed after later
    loads came from torch's failed storage read dropping a reference it never took: ``_storages`` now stops a
    cut-off legacy file before that read.)"""
    seen = set()
    chained: Optional[BaseException] = exc
    while chained is not None and id(chained) not in seen and len(seen) < 16:
        seen.add(id(chained))
        traceback.clear_frames(chained.__traceback__)  # skips the frames still running (ours)
        chained = chained.__cause__ or chained.__context__
