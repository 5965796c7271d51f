"""The source ``torchcompat run`` executes: a script as written, or one exported from a notebook with its IPython
magics skipped.

A ``.py`` exported from a notebook keeps lines Python cannot run: ``%matplotlib inline``, ``!pip install x``,
``%%time``, ``obj?``, and ``get_ipython().run_line_magic('matplotlib', 'inline')`` calls (``get_ipython`` is
not defined outside IPython). :func:`runnable_source` replaces each such statement by ``pass`` at its indentation
(continuation lines by empty ones), so every other line keeps its number for tracebacks, and returns one note per
skipped line. A line is treated as a magic only where Python itself refuses it (a ``SyntaxError`` at a line
that starts with ``%``, ``!`` or ends with ``?``) or where it is a whole statement calling ``get_ipython()``:
``%`` continuing an expression, or ``!=``, is never touched.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from typing import List, Optional, Tuple

__all__ = ["read_source", "runnable_source", "skip_magics"]

_MAGIC_LINE = re.compile(r"^(\s*)(%%?[A-Za-z_]|!|[A-Za-z_][\w.]*\?\??\s*$)")


def read_source(path: str) -> str:
    """The text of ``path``, decoded as Python decodes a script (PEP 263 cookie, BOM, UTF-8 default)."""
    with open(path, "rb") as f:
        data = f.read()
    return importlib.util.decode_source(data)


def _syntax_error_line(text: str, filename: str) -> Optional[int]:
    try:
        compile(text, filename, "exec", dont_inherit=True)
    except SyntaxError as exc:
        return exc.lineno or 0
    except (ValueError, OverflowError):  # null bytes and friends: let the run report them as python does
        return None
    return None


def _get_ipython_call(node: ast.AST) -> bool:
    """``get_ipython().anything(...)`` or ``get_ipython()``."""
    while isinstance(node, (ast.Call, ast.Attribute)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "get_ipython":
            return True
        node = node.func if isinstance(node, ast.Call) else node.value
    return False


def skip_magics(text: str, filename: str = "<notebook>") -> Tuple[str, List[str]]:
    """``text`` with its IPython magics replaced by ``pass`` (line numbers kept), and one note per skipped line
    (``"line 3: skipped IPython magic: %matplotlib inline"``). Text that has none comes back unchanged."""
    lines = text.splitlines(True)
    notes: List[Tuple[int, str]] = []

    def blank(first: int, last: int, indent: str) -> None:
        for number in range(first, last + 1):
            old = lines[number - 1]
            ending = old[len(old.rstrip("\r\n")) :] or ("\n" if number < len(lines) else "")
            lines[number - 1] = (indent + "pass" if number == first else "") + ending

    for _ in range(len(lines) + 1):  # one SyntaxError, and one skipped magic line, per round
        current = "".join(lines)
        number = _syntax_error_line(current, filename)
        if not number or number > len(lines):
            break
        match = _MAGIC_LINE.match(lines[number - 1])
        if match is None:
            break  # a real syntax error: the run reports it as python would
        notes.append((number, lines[number - 1].strip()))
        blank(number, number, match.group(1))
    current = "".join(lines)
    if "get_ipython" in current and _syntax_error_line(current, filename) is None:
        before = (lines[:], notes[:])
        tree = ast.parse(current, filename)
        starts = {}  # statements sharing a line (a; b) are left alone: blanking one would drop the other
        for node in ast.walk(tree):
            if isinstance(node, ast.stmt):
                starts.setdefault(node.lineno, []).append(node)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Expr) and _get_ipython_call(node.value)):
                continue
            end = getattr(node, "end_lineno", None) or node.lineno
            line = lines[node.lineno - 1]
            indent = line[: len(line) - len(line.lstrip())]
            if len(starts.get(node.lineno, ())) != 1 or len(indent) != node.col_offset:
                continue
            if any(n is not node and node.lineno < n.lineno <= end for ns in starts.values() for n in ns):
                continue
            notes.append((node.lineno, line.strip()))
            blank(node.lineno, end, indent)
        if _syntax_error_line("".join(lines), filename) is not None:  # Python 3.7: no end_lineno
            lines[:], notes[:] = before
    if not notes:
        return text, []
    return "".join(lines), ["line %d: skipped IPython magic: %s" % (n, what) for n, what in sorted(notes)]


def runnable_source(path: str) -> Tuple[str, List[str]]:
    """The code ``torchcompat run`` executes for the script ``path`` and the notes for stderr: the file's own
    text when it has no magics (then the notes are empty), else :func:`skip_magics`'s result."""
    return skip_magics(read_source(path), path)
