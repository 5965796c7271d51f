"""Reading and writing Python source exactly: encoding (cookie, BOM), line endings, offsets.

Edits are applied to the decoded text; writing encodes with the file's own encoding (``utf-8-sig``
keeps a BOM), so a file comes back byte for byte except where an edit was made.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import tokenize
from typing import List, NamedTuple, Tuple

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
    keeping the file's permission bits. A symbolic link is followed: its target is replaced."""
    path = os.path.realpath(path)
    folder = os.path.dirname(path)
    mode = None
    try:
        mode = os.stat(path).st_mode & 0o7777
    except OSError:
        pass
    fd, tmp = tempfile.mkstemp(prefix=".tc-migrate-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if mode is not None:
            os.chmod(tmp, mode)
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
        self._ascii: dict = {}

    def line(self, lineno: int) -> str:
        start = self.starts[lineno - 1]
        end = self.starts[lineno] if lineno < len(self.starts) else len(self.text)
        return self.text[start:end]

    def offset(self, lineno: int, col: int) -> int:
        """Text offset of ast position (``lineno``, byte column ``col``)."""
        start = self.starts[lineno - 1]
        ascii_line = self._ascii.get(lineno)
        if ascii_line is None:
            ascii_line = self._ascii[lineno] = _is_ascii(self.line(lineno))
        if ascii_line:
            return start + col
        return start + len(self.line(lineno).encode("utf-8")[:col].decode("utf-8", "ignore"))

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


def _is_ascii(text: str) -> bool:
    try:
        text.encode("ascii")
    except UnicodeEncodeError:
        return False
    return True
