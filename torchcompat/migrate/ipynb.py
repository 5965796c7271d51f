"""``check`` / ``migrate`` of Jupyter notebooks: the code cells as one module, findings and fixes per cell.

The code cells (IPython syntax masked by :func:`torchcompat.notebook.mask`; non-Python cell magics such as
``%%bash`` left out) are joined in order into one text, so that names cross cells as they do in the kernel
(``import torch`` in cell 1, ``x.data[0]`` in cell 5), and the engine runs once on it. Findings are mapped
back to ``cell N:line:col`` (N counts all cells, markdown included). Fixes are mapped back through the
engine's changed regions: a region must lie inside one cell and leave its masked lines alone, else the
notebook is left untouched and the run reports it. Each changed cell must parse again (with its magics
unchanged) before only its ``source`` value is replaced in the file's JSON text, atomically.
"""

from __future__ import annotations

import ast
import bisect
import dataclasses
import difflib
import hashlib
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

from torchcompat.migrate.context import Finding, Options
from torchcompat.migrate.engine import RuleError, process_text
from torchcompat.migrate.runner import FileReport, write_report
from torchcompat.migrate.source import Lines
from torchcompat.notebook import MARKER, Cell, Notebook, NotebookError, lines_of, mask, parse

__all__ = ["CellFinding", "Part", "join_cells", "process_notebook"]


@dataclasses.dataclass
class CellFinding(Finding):
    """A finding in a notebook: ``line`` and ``col`` within cell ``cell`` (1-based among all cells)."""

    cell: int = 0

    def as_dict(self) -> Dict[str, Any]:
        out = super().as_dict()
        out["cell"] = self.cell
        return out


class Part(NamedTuple):
    """One code cell inside the joined text: its marker line (``# %% cell N``), then its (masked) lines."""

    cell: Cell
    start: int  # offset of the marker line in the joined text
    body: int  # offset of the cell's first character
    end: int  # offset after its last (the appended newline included)
    line: int  # the joined text's line where the cell's first line is (1-based)
    appended: bool  # a newline was appended (the cell's source did not end with one)
    masks: List[Tuple[int, int, str]]  # (start, end) of a masked magic in the joined text, and its own text
    python: bool  # False: a non-Python cell magic (%%bash): blank lines here, never changed


def join_cells(nb: Notebook) -> Tuple[str, List[Part]]:
    """The notebook's code cells as one text, line for line as :func:`torchcompat.notebook.script_from_notebook`
    lays them out for ``torchcompat run`` (so that a run-time trace's lines are this text's): a ``# %% cell N``
    line before each cell, each cell ending with a newline, IPython lines masked, non-Python cells blank."""
    pieces: List[str] = []
    parts: List[Part] = []
    offset, line = 0, 1
    for cell in nb.cells:
        masked = mask(cell.source)
        marker = "%s%d\n" % (MARKER, cell.number)
        text = masked.text
        appended = bool(text) and not text.endswith(("\n", "\r"))
        if appended:
            text += "\n"
        masked_lines, source_lines = lines_of(text), lines_of(cell.source)
        masked_starts, source_starts = _starts(masked_lines), _starts(source_lines)
        body = offset + len(marker)
        masks = []
        for magic in masked.magics if masked.python else ():
            first, last = magic.line - 1, magic.end_line - 1
            start = body + masked_starts[first]
            end = body + masked_starts[last] + len(masked_lines[last].rstrip("\r\n"))
            original = cell.source[source_starts[first] : source_starts[last] + len(source_lines[last].rstrip("\r\n"))]
            masks.append((start, end, original))
        parts.append(Part(cell, offset, body, body + len(text), line + 1, appended, masks, masked.python))
        pieces += [marker, text]
        offset = body + len(text)
        line += 1 + len(masked_lines)
    return "".join(pieces), parts


def _starts(lines: List[str]) -> List[int]:
    out = [0]
    for line in lines:
        out.append(out[-1] + len(line))
    return out


def _locate(parts: List[Part], line: int) -> Tuple[Part, int]:
    index = bisect.bisect_right([p.line for p in parts], line) - 1
    part = parts[max(index, 0)]
    return part, line - part.line + 1


def _cell_findings(findings: List[Finding], parts: List[Part], starts: Optional[List[int]] = None) -> List[Finding]:
    """The findings of the joined text at their cells (``starts``: the cells' first lines in a fixed text)."""
    if starts is not None:
        parts = [p._replace(line=s) for p, s in zip(parts, starts)]
    out: List[Finding] = []
    for f in findings:
        part, line = _locate(parts, f.line)
        fields = {x.name: getattr(f, x.name) for x in dataclasses.fields(f) if x.name not in ("line", "edits", "cell")}
        out.append(CellFinding(line=line, cell=part.cell.number, **fields))  # the edits: the joined text's
    return out


class _Mapped(NamedTuple):
    sources: Dict[int, str]  # cell number -> new source (changed cells only)
    starts: List[int]  # each part's first line in the fixed text
    error: Optional[str]


def _map_back(text: str, new: str, parts: List[Part], regions: List[Tuple[int, int, int, int]]) -> _Mapped:
    """The new source of each cell: the engine's changed regions (``(old start, old end, new start, new end)``)
    applied to the cell they lie in, and the masked IPython lines put back. Text inserted at a marker line
    (between two cells) goes to the end of the earlier cell when it is whole statements (an import), else to
    the start of the later one (``with torch.no_grad():``, an indentation): comments between them aside, the
    same place in the joined text."""
    part_starts = [p.start for p in parts]
    edits: List[List[Tuple[int, int, str]]] = [[] for _ in parts]
    for o_start, o_end, n_start, n_end in regions:
        inserted = new[n_start:n_end]
        k = max(bisect.bisect_right(part_starts, o_start) - 1, 0)
        part = parts[k]
        if o_start == o_end == part.start:
            if k and _statements(inserted):
                k, part = k - 1, parts[k - 1]  # at the end of the earlier cell (its `end` is this marker's start)
            else:
                o_start = o_end = part.body
        if o_start < part.body:
            return _Mapped({}, [], "a fix crosses the start of cell %d" % part.cell.number)
        if o_end > part.end:
            return _Mapped({}, [], "a fix spans cells %d and %d" % (part.cell.number, _next(parts, k)))
        if not part.python:
            return _Mapped({}, [], "a fix touches cell %d, which is not Python" % part.cell.number)
        for m_start, m_end, magic in part.masks:
            if (o_start < m_end and o_end > m_start) or (o_start == o_end and m_start < o_start <= m_end):
                return _Mapped({}, [], "a fix touches the IPython line %r in cell %d" % (magic, part.cell.number))
        edits[k].append((o_start, o_end, inserted))
    sources: Dict[int, str] = {}
    for part, own in zip(parts, edits):
        if not own:
            continue
        pieces: List[str] = []
        pos = part.body
        for start, end, replacement in sorted(own + part.masks, key=lambda e: (e[0], e[1])):
            pieces += [text[pos:start], replacement]
            pos = end
        pieces.append(text[pos : part.end])
        source = "".join(pieces)
        if part.appended and source.endswith("\n"):
            source = source[:-1]
        if source != part.cell.source:
            sources[part.cell.number] = source
    lines = Lines(new)
    starts = []
    for part in parts:  # where each marker line is in the fixed text: after every region before it
        moved = part.start + sum((r[3] - r[2]) - (r[1] - r[0]) for r in regions if r[1] <= part.start)
        starts.append(lines.position(moved)[0] + 1)
    return _Mapped(sources, starts, None)


def _next(parts: List[Part], k: int) -> int:
    return parts[min(k + 1, len(parts) - 1)].cell.number


def _statements(text: str) -> bool:
    """Whether ``text`` is one or more whole statements (an inserted import), not the start of one."""
    if not text.strip() or not text.endswith(("\n", "\r")):
        return False
    try:
        ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return True


def _check_cells(sources: Dict[int, str], nb: Notebook) -> Optional[str]:
    """Why the changed cells may not be written (a cell that no longer parses, or whose magics changed)."""
    old = {c.number: c.source for c in nb.cells}
    for number, source in sorted(sources.items()):
        masked = mask(source)
        if [m.text for m in masked.magics] != [m.text for m in mask(old[number]).magics]:
            return "the fix changed the IPython lines of cell %d" % number
        try:
            ast.parse(masked.text)
        except (SyntaxError, ValueError) as exc:
            return "the fixed cell %d does not parse (%s)" % (number, exc)
    return None


def _unparsable(nb: Notebook, parts: List[Part], error: str) -> str:
    """The engine's parse error, at the cell that does not parse by itself."""
    for part in parts:
        try:
            ast.parse(mask(part.cell.source).text)
        except (SyntaxError, ValueError) as exc:
            where = "line %s" % getattr(exc, "lineno", "?")
            return "could not be parsed: cell %d %s: %s" % (part.cell.number, where, getattr(exc, "msg", exc))
    return "could not be parsed: %s" % error


def _diff(path: str, nb: Notebook, sources: Dict[int, str]) -> str:
    out: List[str] = []
    for cell in nb.cells:
        if cell.number not in sources:
            continue
        name = "%s (cell %d)" % (path, cell.number)
        old = [line if line.endswith("\n") else line + "\n" for line in cell.source.splitlines(True)]
        new = [line if line.endswith("\n") else line + "\n" for line in sources[cell.number].splitlines(True)]
        out.extend(difflib.unified_diff(old, new, name, name))
    return "".join(out)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def process_notebook(
    path: str, data: bytes, options: Options, write: bool = False, want_diff: bool = False, force_readonly: bool = False
) -> FileReport:
    """Check or fix one notebook (the ``.ipynb`` case of :func:`torchcompat.migrate.runner.process_path`);
    every failure is reported in the returned report and leaves the file byte for byte as it was."""
    try:
        nb = parse(data)
    except NotebookError as exc:
        return FileReport(path, [], error="could not be read as a notebook: %s" % exc, kind="parse")
    if not nb.is_python:
        return FileReport(path, [])  # an R or Julia notebook: nothing for us, as a file without torch
    text, parts = join_cells(nb)
    trace = getattr(options, "trace", None)
    if trace is not None and getattr(trace, "digest", None) == _sha256(nb.text):
        # a trace written before traces fingerprinted a notebook by its code text (the JSON text's sha256):
        # `torchcompat run --trace` ran this very notebook, whose script has this text's lines
        trace.digest = _sha256(text)
    try:
        result = process_text(text, options)
    except RecursionError:
        return FileReport(path, [], error="too deeply nested to analyse", kind="parse")
    except RuleError as exc:
        error = "%s; this is a torchcompat bug, please report it with this notebook; it was left untouched" % exc
        return FileReport(path, [], error=error, kind="bug")
    findings = _cell_findings(result.findings, parts)
    report = FileReport(path, findings, lines=text.count("\n"), fixed=result.fixed, remaining=findings, era=result.era)
    if result.error is not None:
        report.error = result.error if result.internal else _unparsable(nb, parts, result.error)
        report.kind = "bug" if result.internal else "parse"
        return report
    if not result.changed:
        report.remaining = _cell_findings(result.remaining, parts)
        return report
    mapped = _map_back(text, result.text, parts, result.regions)
    problem = mapped.error or _check_cells(mapped.sources, nb)
    new_bytes = None
    if problem is None:
        try:
            new_bytes = nb.encoded(nb.with_sources(mapped.sources))
        except NotebookError as exc:
            problem = str(exc)
    if problem is not None or new_bytes is None:
        report.error = "%s; this is a torchcompat bug, please report it with this notebook; it was left untouched" % (
            problem
        )
        report.kind = "bug"
        return report
    report.remaining = _cell_findings(result.remaining, parts, mapped.starts)
    report.changed = bool(mapped.sources)
    if want_diff:
        report.diff = _diff(path, nb, mapped.sources)
    if write and new_bytes != data:
        write_report(report, path, new_bytes, force_readonly)
    return report
