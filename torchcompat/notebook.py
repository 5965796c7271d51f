"""Jupyter notebooks (``.ipynb``, nbformat 4 and 3) as Python: code cells, IPython syntax, exact write-back.

Reading gives the code cells' sources; IPython's own syntax (``%magic``, ``%%cell`` magics, ``!shell``,
``x = !cmd``, ``?obj`` / ``obj?`` help) is *masked*: replaced by ``pass`` lines (same line count) so that a
cell parses as Python, while the magic text itself is never parsed as Python nor changed. Writing back
replaces only the ``source`` values of the cells that changed, in the file's own JSON text: every other
byte (outputs, metadata, ids, execution counts, indentation, key order, escapes, trailing newline) stays.
Cells are numbered 1-based among *all* cells (markdown included), as VS Code and ``nb.cells[N - 1]`` count.
``script_from_notebook`` turns a notebook into one script for ``torchcompat run``; ``code_text`` is the text
``check`` / ``migrate`` analyse, with the same lines (so run-time traces line up). Stdlib only, no torch.
"""

from __future__ import annotations

import json
import re
from typing import Dict, List, NamedTuple, Optional, Tuple

__all__ = [
    "NotebookError",
    "Cell",
    "Magic",
    "Masked",
    "Notebook",
    "parse",
    "read",
    "mask",
    "script_from_notebook",
    "cell_position",
    "code_text",
    "lines_of",
    "MARKER",
]

_DECODER = json.JSONDecoder()
_WS = re.compile(r"[ \t\n\r]*")
#: Cell magics whose body is Python run in the kernel: the body is analysed (and migrated); other cell
#: magics (``%%bash``, ``%%writefile``, ``%%html`` ...) mask the whole cell.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun"})
#: IPython's escapes at the start of a logical line: magic, shell, help, and the autocall escapes.
_ESCAPES = ("%", "!", "?", "/", ",", ";")
_ASSIGN_MAGIC = re.compile(r"\s*[\w.]+(\s*,\s*[\w.]+)*\s*=\s*[!%]")
#: the line before each cell in a script made of a notebook (the jupytext / VS Code "percent" cell marker)
MARKER = "# %% cell "
#: a ``\\uXXXX`` escape of a non-ASCII character (not preceded by an escaped backslash)
_NON_ASCII_ESCAPE = re.compile(
    r"(?<!\\)(?:\\\\)*\\u(?:00[89a-fA-F][0-9a-fA-F]|0[1-9a-fA-F][0-9a-fA-F]{2}|[1-9a-fA-F][0-9a-fA-F]{3})"
)
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_MARKER_LINE = re.compile(r"# %% cell (\d+)$")


class NotebookError(ValueError):
    """The file is no Jupyter notebook this module can read (it is then left untouched)."""


class Cell(NamedTuple):
    """One code cell: ``number`` is 1-based among all cells; ``span`` is the text span of its source value."""

    number: int
    source: str
    span: Tuple[int, int]
    items: Optional[List[Tuple[int, int]]]  # the spans of the list's strings; None when the value is a string


class Magic(NamedTuple):
    """IPython syntax in a cell: ``line`` (1-based) to ``end_line`` (inclusive), with its text."""

    line: int
    end_line: int
    text: str
    kind: str  # "line" (%x), "shell" (!x), "help" (x?), "assign" (y = !x), "escape" (/,;), "cell" (%%x)


class Masked(NamedTuple):
    """A cell as Python: ``text`` has the same lines as the source, magic lines replaced by ``pass``."""

    text: str
    magics: List[Magic]
    python: bool  # False: a non-Python cell magic (%%bash ...): the whole cell is not Python


def _ws(text: str, pos: int) -> int:
    match = _WS.match(text, pos)
    return match.end() if match else pos


def _value_end(text: str, pos: int) -> int:
    return _DECODER.raw_decode(text, pos)[1]


def _members(text: str, pos: int) -> List[Tuple[str, int, int]]:
    """``(key, value start, value end)`` of each member of the JSON object at ``pos``."""
    out: List[Tuple[str, int, int]] = []
    pos = _ws(text, pos + 1)
    if text[pos] == "}":
        return out
    while True:
        key, pos = _DECODER.raw_decode(text, pos)
        pos = _ws(text, _ws(text, pos) + 1)  # past the colon
        end = _value_end(text, pos)
        out.append((key, pos, end))
        pos = _ws(text, end)
        if text[pos] == "}":
            return out
        pos = _ws(text, pos + 1)


def _items(text: str, pos: int) -> List[Tuple[int, int]]:
    """``(start, end)`` of each item of the JSON array at ``pos``."""
    out: List[Tuple[int, int]] = []
    pos = _ws(text, pos + 1)
    if text[pos] == "]":
        return out
    while True:
        end = _value_end(text, pos)
        out.append((pos, end))
        pos = _ws(text, end)
        if text[pos] == "]":
            return out
        pos = _ws(text, pos + 1)


class Notebook:
    """A notebook's text and structure: :attr:`cells` (code cells only), :meth:`with_sources` to rewrite."""

    def __init__(self, text: str, bom: bool = False) -> None:
        self.text = text
        self.bom = bom
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise NotebookError("not valid JSON (%s)" % exc) from None
        if not isinstance(data, dict) or not isinstance(data.get("nbformat"), int):
            raise NotebookError("not a Jupyter notebook (no nbformat number)")
        self.nbformat: int = data["nbformat"]
        if self.nbformat not in (3, 4):
            raise NotebookError("nbformat %d is not supported (only 3 and 4)" % self.nbformat)
        self.language = _language(data)
        self.cells: List[Cell] = []
        self.count = 0  # all cells, markdown included
        try:
            self._locate(data)
        except (ValueError, IndexError, TypeError, KeyError) as exc:
            raise NotebookError("unexpected notebook structure (%s)" % exc) from None

    @property
    def is_python(self) -> bool:
        return self.language in ("", "python", "python2", "python3", "ipython", "ipython3")

    def _locate(self, data: dict) -> None:
        text = self.text
        top = {key: (start, end) for key, start, end in _members(text, _ws(text, 0))}
        if self.nbformat == 4:
            cell_lists = [top["cells"][0]] if "cells" in top else []
        else:
            cell_lists = []
            if "worksheets" in top:
                for start, _ in _items(text, top["worksheets"][0]):
                    sheet = {key: (s, e) for key, s, e in _members(text, start)}
                    if "cells" in sheet:
                        cell_lists.append(sheet["cells"][0])
        key = "source" if self.nbformat == 4 else "input"
        for list_start in cell_lists:
            for start, _ in _items(text, list_start):
                self.count += 1
                if text[start] != "{":
                    continue
                members = {k: (s, e) for k, s, e in _members(text, start)}
                kind = members.get("cell_type")
                if kind is None or _DECODER.raw_decode(text, kind[0])[0] != "code" or key not in members:
                    continue
                span = members[key]
                value = _DECODER.raw_decode(text, span[0])[0]
                if isinstance(value, str):
                    self.cells.append(Cell(self.count, value, span, None))
                elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                    self.cells.append(Cell(self.count, "".join(value), span, _items(text, span[0])))
                else:
                    raise NotebookError("cell %d: its %s is neither a string nor a list of strings" % (self.count, key))
        expected = [_source(c) for c in _all_cells(data) if isinstance(c, dict) and c.get("cell_type") == "code"]
        if [c.source for c in self.cells] != [s for s in expected if s is not None]:
            raise NotebookError("duplicate keys or an unusual layout: the cells could not be located exactly")

    # -- writing -------------------------------------------------------------------------------------------
    def with_sources(self, sources: Dict[int, str]) -> str:
        """The notebook's text with the code cells numbered in ``sources`` given new sources; every byte
        outside those cells' source values is kept. Raises NotebookError if the result is not the same
        notebook with only those sources changed (checked by decoding it again)."""
        pieces: List[str] = []
        pos = 0
        for cell in self.cells:
            if cell.number not in sources or sources[cell.number] == cell.source:
                continue
            pieces.append(self.text[pos : cell.span[0]])
            pieces.append(self._encode_source(cell, sources[cell.number]))
            pos = cell.span[1]
        pieces.append(self.text[pos:])
        new = "".join(pieces)
        before, after = json.loads(self.text), json.loads(new)
        cells = [c for c in _all_cells(before) if isinstance(c, dict) and c.get("cell_type") == "code"]
        key = "source" if self.nbformat == 4 else "input"
        for cell, data in zip(self.cells, cells):
            if cell.number in sources:
                data[key] = _split(sources[cell.number]) if isinstance(data.get(key), list) else sources[cell.number]
        if before != after:
            raise NotebookError("rewriting the sources changed more than the sources (a torchcompat bug)")
        return new

    def _encode_source(self, cell: Cell, source: str) -> str:
        ascii_only = self._ensure_ascii()
        if cell.items is None:
            return json.dumps(source, ensure_ascii=ascii_only)
        text = self.text
        raw = {}
        for start, end in cell.items:  # unchanged lines keep their own escapes
            raw.setdefault(_DECODER.raw_decode(text, start)[0], text[start:end])
        lines = [raw.get(line) or json.dumps(line, ensure_ascii=ascii_only) for line in _split(source)]
        start, end = cell.span
        items = cell.items
        if not items:  # `[]`: the layout of a list in this file, at this key's indentation
            separator = self._separator()
            if "\n" not in separator:
                opening = closing = ""
                sep = separator
            else:
                indent = text[text.rfind("\n", 0, start) + 1 : start]
                indent = indent[: len(indent) - len(indent.lstrip())]
                newline = "\r\n" if "\r\n" in separator else "\n"
                opening, closing = newline + indent + self._unit(), newline + indent
                sep = "," + opening
        else:
            opening = text[start + 1 : items[0][0]]
            closing = text[items[-1][1] : end - 1]
            if len(items) >= 2:
                sep = text[items[0][1] : items[1][0]]
            else:
                sep = ("," + opening) if "\n" in opening else self._separator()
        if not lines:
            return "[]"
        return "[" + opening + sep.join(lines) + closing + "]"

    def _separator(self) -> str:
        """The text between two members of the file's top object: ``,\\n `` for nbformat's indent=1,
        ``, `` for json.dumps' compact default."""
        members = _members(self.text, _ws(self.text, 0))
        if len(members) < 2:
            return ", "
        gap = self.text[members[0][2] : members[1][1]]  # `,\n "key": ` between a value and the next
        return "," + gap.split(",", 1)[1].split('"', 1)[0]

    def _unit(self) -> str:
        """One level of the file's indentation (nbformat: one space)."""
        start = _ws(self.text, 0) + 1
        gap = self.text[start : _ws(self.text, start)]
        return gap.rsplit("\n", 1)[-1] if "\n" in gap else " "

    def _ensure_ascii(self) -> bool:
        """Whether the file escapes non-ASCII characters (``\\u00e9``): Python's json default, not nbformat's."""
        if not self.text.isascii():
            return False
        return _NON_ASCII_ESCAPE.search(self.text) is not None

    def encoded(self, text: str) -> bytes:
        return ("\ufeff" if self.bom else "").encode("utf-8") + text.encode("utf-8")


def _language(data: dict) -> str:
    meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    for holder, key in (("kernelspec", "language"), ("language_info", "name")):
        value = meta.get(holder)
        if isinstance(value, dict) and isinstance(value.get(key), str):
            return value[key].lower()
    return ""


def _all_cells(data: dict) -> List[dict]:
    if data.get("nbformat") == 3:
        return [c for sheet in data.get("worksheets") or [] for c in (sheet.get("cells") or [])]
    return list(data.get("cells") or [])


def _source(cell: dict) -> Optional[str]:
    value = cell.get("source", cell.get("input"))
    if isinstance(value, list):
        return "".join(value)
    return value if isinstance(value, str) else None


def _split(source: str) -> List[str]:
    """A source as nbformat stores it: lines with their endings (``str.splitlines(True)``)."""
    return source.splitlines(True)


def parse(data: bytes) -> Notebook:
    """A notebook from the bytes of an ``.ipynb`` file (UTF-8, a BOM kept); NotebookError if it is none."""
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data[3 if bom else 0 :].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotebookError("not UTF-8 (%s)" % exc) from None
    return Notebook(text, bom)


def read(path: str) -> Notebook:
    with open(path, "rb") as handle:
        return parse(handle.read())


# -- IPython syntax ----------------------------------------------------------------------------------------
def _scan(line: str, state: List[object]) -> bool:
    """Advance the Python lexical ``state`` ``[open string quote or "", bracket depth, backslash]`` over
    ``line``; True if a ``?`` stood outside strings and comments (IPython help, never Python)."""
    quote, depth = state[0], state[1]
    assert isinstance(quote, str) and isinstance(depth, int)
    question = False
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if line.startswith(quote, i):
                i += len(quote)
                quote = ""
                continue
            i += 1
            continue
        if ch == "#":
            break
        if ch in "\"'":
            quote = ch * 3 if line.startswith(ch * 3, i) else ch
            i += len(quote)
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif ch == "?":
            question = True
        i += 1
    body = line.rstrip("\r\n")
    state[2] = body.endswith("\\") and not body.endswith("\\\\") and "#" not in body
    if len(quote) == 1 and not state[2]:
        quote = ""  # an unterminated one-quote string ends at the line's end (a syntax error anyway)
    state[0], state[1] = quote, depth
    return question


def mask(source: str) -> Masked:
    """The cell as Python, with its IPython syntax found and replaced by ``pass`` (same indentation)."""
    lines = lines_of(source)
    magics: List[Magic] = []
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        name = lines[first].lstrip()[2:].split(None, 1)[0] if lines[first].strip() != "%%" else ""
        if name not in PYTHON_CELL_MAGICS:
            magics.append(Magic(first + 1, len(lines), "".join(lines[first:]), "cell"))
            return Masked("".join(_blank(line) for line in lines), magics, False)
        magics.append(Magic(first + 1, first + 1, lines[first].rstrip("\r\n"), "cell"))
    out = list(lines)
    state: List[object] = ["", 0, False]
    i = 0
    while i < len(lines):
        line = lines[i]
        if magics and magics[0].kind == "cell" and i == magics[0].line - 1:
            out[i] = _pass(line)
            i += 1
            continue
        logical_start = not state[0] and not state[1] and not state[2]
        stripped = line.lstrip()
        kind = ""
        if logical_start and stripped.strip():
            if stripped[0] in _ESCAPES:
                kind = {"%": "line", "!": "shell", "?": "help"}.get(stripped[0], "escape")
            elif _ASSIGN_MAGIC.match(line):
                kind = "assign"
            else:
                probe: List[object] = ["", 0, False]
                if _scan(line, probe) and not probe[0] and not probe[1]:
                    kind = "help"  # `obj?`, `obj.attr??`: a `?` outside strings is never Python
        if not kind:
            _scan(line, state)
            i += 1
            continue
        end = i
        while lines[end].rstrip("\r\n").endswith("\\") and end + 1 < len(lines):
            end += 1  # an escaped command continues over backslash-ended lines
        magics.append(Magic(i + 1, end + 1, "".join(lines[i : end + 1]).rstrip("\r\n"), kind))
        out[i] = _pass(line)
        for j in range(i + 1, end + 1):
            out[j] = _blank(lines[j])
        i = end + 1
    magics.sort(key=lambda m: m.line)
    return Masked("".join(out), magics, True)


def lines_of(text: str) -> List[str]:
    """``text``'s lines with their endings, split where Python ends a line (``\\n``, ``\\r\\n``, ``\\r``; not
    at the form feeds and other separators ``str.splitlines`` also splits at)."""
    return _LINE.findall(text)


def _newline(line: str) -> str:
    return line[len(line.rstrip("\r\n")) :]


def _pass(line: str) -> str:
    return line[: len(line) - len(line.lstrip())] + "pass" + _newline(line)


def _blank(line: str) -> str:
    return _newline(line) or " "  # a last line without an ending stays a line


# -- one script for `torchcompat run` ---------------------------------------------------------------------
def _script_line(magic: Magic, line: str, notes: List[str], number: int) -> str:
    """What the script runs for a one-line magic: its Python where it has some, else ``pass``."""
    indent = line[: len(line) - len(line.lstrip())]
    text = magic.text.strip()
    where = "cell %d line %d" % (number, magic.line)
    words = text.split(None, 1)
    name = words[0][1:] if words else ""
    rest = words[1] if len(words) > 1 else ""
    if magic.kind == "line" and name == "time" and rest:
        notes.append("%s: ran the statement of %s without timing it" % (where, text))
        return indent + rest + "  # torchcompat: was %time"
    if magic.kind == "line" and name == "pylab":
        notes.append("%s: replaced %s by the imports it makes" % (where, text))
        imports = (
            "import numpy; import matplotlib; from matplotlib import pylab, mlab, pyplot; np = numpy; plt = pyplot"
        )
        if "--no-import-all" not in rest:
            imports += "; from pylab import *; from numpy import *"
        return indent + imports
    if magic.kind == "assign":
        notes.append("%s: skipped %s (its variable is not assigned)" % (where, text))
    else:
        notes.append(
            "%s: skipped %s %s" % (where, {"shell": "shell command", "help": "help"}.get(magic.kind, "magic"), text)
        )
    return indent + "pass  # torchcompat: skipped " + text.splitlines()[0]


def script_from_notebook(path: str) -> Tuple[str, List[str]]:
    """The code cells of ``path`` joined in order into one script (``# %% cell N`` before each), with the
    IPython syntax replaced (``pass``, or its Python for ``%time stmt``, ``%pylab``, ``%%time``), and the
    notes that say what was skipped (``"cell 3 line 1: skipped magic %matplotlib inline"``). Every line
    keeps its place, so :func:`cell_position` maps a line of the script back to its cell. NotebookError (a
    ValueError naming ``path``) when the file is no notebook."""
    try:
        nb = read(path)
    except NotebookError as exc:
        raise NotebookError("%s: %s" % (path, exc)) from None
    if not nb.is_python:
        raise NotebookError("%s: a %s notebook, not Python" % (path, nb.language))
    out: List[str] = []
    notes: List[str] = []
    for cell in nb.cells:
        masked = mask(cell.source)
        lines = lines_of(cell.source)
        if lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += "\n"
        out.append("%s%d\n" % (MARKER, cell.number))
        if not masked.python:
            magic = masked.magics[0]
            notes.append(
                "cell %d: skipped the cell magic %s (%d lines)"
                % (cell.number, magic.text.splitlines()[0].strip(), len(lines))
            )
            out.extend(("# " + line) if line.strip() else line for line in lines)
            continue
        by_line = {m.line: m for m in masked.magics}
        skip_until = 0
        for number, line in enumerate(lines, 1):
            magic = by_line.get(number)
            if number <= skip_until:
                out.append(_newline(line) or "\n")
            elif magic is not None and magic.kind == "cell":
                name = magic.text.strip()[2:].split(None, 1)[0]
                if name == "timeit":
                    notes.append("cell %d: skipped the cell magic %s" % (cell.number, magic.text.strip()))
                    out.extend(("# " + body) if body.strip() else body for body in lines[number - 1 :])
                    break
                notes.append("cell %d line %d: ran the cell without %s" % (cell.number, number, magic.text.strip()))
                out.append("pass  # torchcompat: was " + magic.text.strip() + "\n")
            elif magic is not None:
                skip_until = magic.end_line
                out.append(_script_line(magic, line, notes, cell.number) + (_newline(line) or "\n"))
            else:
                out.append(line)
    script = "".join(out)
    return script, notes


def code_text(nb: Notebook) -> str:
    """The text ``check`` / ``migrate`` analyse for a notebook: the code cells, IPython syntax masked, laid out
    line for line as :func:`script_from_notebook` (a ``# %% cell N`` line before each cell, every cell ending
    with a newline, a non-Python cell magic's lines blank), so that line numbers of a ``torchcompat run`` of
    the notebook (tracebacks, ``--trace`` evidence) are this text's. A fingerprint of the notebook's code."""
    pieces: List[str] = []
    for cell in nb.cells:
        text = mask(cell.source).text
        pieces += ["%s%d\n" % (MARKER, cell.number), text, "\n" if text and not text.endswith(("\n", "\r")) else ""]
    return "".join(pieces)


def cell_position(script: str, lineno: int) -> Optional[Tuple[int, int]]:
    """``(cell number, line in that cell)`` of line ``lineno`` of a :func:`script_from_notebook` script."""
    lines = script.splitlines()
    for index in range(min(lineno, len(lines)) - 1, -1, -1):
        match = _MARKER_LINE.match(lines[index])
        if match:
            return (int(match.group(1)), lineno - index - 1) if index < lineno - 1 else None
    return None
