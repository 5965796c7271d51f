"""Reading and writing Python source exactly: encoding (cookie, BOM), line endings, offsets.

Edits are applied to the decoded text; writing encodes with the file's own encoding (``utf-8-sig``
keeps a BOM), so a file comes back byte for byte except where an edit was made.
"""

from __future__ import annotations

import bisect
import io
import os
import re
import tempfile
import tokenize
from typing import List, NamedTuple, Optional, Tuple

_NEWLINE = re.compile(r"\r\n|\r|\n")


class Source(NamedTuple):
    text: str
    encoding: str


def decode(data: bytes) -> Source:
    """Bytes of a Python file -> text and encoding (PEP 263 cookie or BOM; default utf-8)."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    text = data.decode(encoding)
    if encoding == "utf-8-sig" and text.startswith("\ufeff"):  # pragma: no cover - codec strips it
        text = text[1:]
    return Source(text, encoding)


def encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding)


def newline_of(text: str) -> str:
    """The file's first line ending (``\\n`` when it has none)."""
    match = _NEWLINE.search(text)
    return match.group(0) if match else "\n"


def write_atomic(path: str, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically (temp file in the same folder + ``os.replace``),
    keeping the file's permission bits (a read-only file stays read-only) and, where allowed, its
    owner. A symbolic link is followed: its target is replaced. On any failure the file is as it was."""
    path = os.path.realpath(path)
    folder = os.path.dirname(path)
    st = None
    try:
        st = os.stat(path)
    except OSError:
        pass
    fd, tmp = tempfile.mkstemp(prefix=".tc-migrate-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if st is not None:
            if hasattr(os, "chown") and (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
                try:
                    os.chown(tmp, st.st_uid, st.st_gid)  # root rewriting a user's file: it stays theirs
                except OSError:
                    pass
            os.chmod(tmp, st.st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class Lines:
    """Offsets of a text's lines, and conversion of ast positions (1-based line, UTF-8 byte column)
    to offsets in the text."""

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        for match in _NEWLINE.finditer(text):
            starts.append(match.end())
        self.starts: List[int] = starts
        self._ascii: dict = {}  # lineno -> None (ASCII) or the UTF-8 byte offset of each character

    def line(self, lineno: int) -> str:
        start = self.starts[lineno - 1]
        end = self.starts[lineno] if lineno < len(self.starts) else len(self.text)
        return self.text[start:end]

    def offset(self, lineno: int, col: int) -> int:
        """Text offset of ast position (``lineno``, byte column ``col``)."""
        start = self.starts[lineno - 1]
        try:
            byte_starts = self._ascii[lineno]
        except KeyError:
            byte_starts = self._ascii[lineno] = _byte_starts(self.line(lineno))
        if byte_starts is None:
            return start + col
        return start + bisect.bisect_left(byte_starts, col)

    def position(self, offset: int) -> Tuple[int, int]:
        """(1-based line, 0-based character column) of a text offset."""
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - self.starts[lo]


def _byte_starts(line: str) -> Optional[List[int]]:
    """None for an ASCII line (byte column = character column); otherwise the UTF-8 byte offset at which
    each character begins, so that a byte column converts by bisection (one pass per line, not one
    re-encoding of the line per node: long non-ASCII lines made that quadratic)."""
    if line.isascii():
        return None
    offsets = []
    pos = 0
    for ch in line:
        offsets.append(pos)
        code = ord(ch)
        pos += 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
    offsets.append(pos)
    return offsets
