"""``torchcompat migrate --trace trace.json``: what a run saw, as evidence for the meaning rules.

A trace (:mod:`torchcompat.tracefile`, recorded by ``torchcompat run --trace``) holds, per real file path,
the lines that ran and the events at each instruction span: ``/`` on tensors with the operands' dtypes,
``x[0]`` on a 0-dim tensor, a uint8 mask, ``F.softmax`` without ``dim`` and the rank seen ... Several traces
merge (one per entry point). :class:`Traces` is the loaded set; :meth:`Traces.view` gives one file's
:class:`FileTrace`, which the engine keeps in step with the fix loop (the trace's positions are those of the
file as it ran; later passes map their offsets back through the rewritten regions). Rules ask
``ctx.seen(node, kinds)``; :meth:`FileTrace.gate` keeps meaning rules from rewriting lines the run never
executed. Never imports torch.
"""

from __future__ import annotations

import ast
import hashlib
import os
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from torchcompat.migrate.source import Lines
from torchcompat.tracefile import load, merge

__all__ = ["Traces", "FileTrace", "load_traces", "integral", "NOT_EXECUTED", "KINDS"]

#: Event kinds per question a rule asks (restore names and observer kinds that answer it).
KINDS: Dict[str, Tuple[str, ...]] = {
    "div": ("div", "int-div"),
    "index-0dim": ("index-0dim", "data-index-0"),
    "mask": ("mask", "uint8-mask"),
    "uint8-index": ("uint8-index",),
    "softmax": ("softmax-implicit", "softmax-dim"),
    "iter": ("iter",),
}

#: The ending of a meaning finding the trace shows never ran.
NOT_EXECUTED = "not executed in the trace: not rewritten (run the code path under `torchcompat run --trace`)"

_FLOATS = ("float", "double", "half", "bfloat", "complex")


def integral(operand: Dict[str, Any]) -> Optional[bool]:
    """Is a traced operand an integer (tensor of an integer dtype, or a Python int)? None: not a number."""
    dtype = operand.get("dtype")
    if dtype is not None:
        return dtype != "bool" and not dtype.startswith(_FLOATS)
    kind = operand.get("type")
    if kind == "int":
        return True
    if kind == "float":
        return False
    return None


class Traces:
    """Traces loaded from files and merged: ``files`` maps a real path to its ``{"lines", "events"}``."""

    def __init__(self, data: Dict[str, Any], paths: Sequence[str] = ()) -> None:
        self.paths = list(paths)
        self.columns = bool(data.get("columns", False))
        self.files: Dict[str, Dict[str, Any]] = data.get("files", {})

    def view(self, path: str) -> Optional["FileTrace"]:
        """The trace of one file (None when no trace covers it): a fresh object per file and run."""
        if path == "-":
            return None
        entry = self.files.get(os.path.realpath(os.path.abspath(path)))
        return None if entry is None else FileTrace(entry)

    def __len__(self) -> int:
        return len(self.files)


def load_traces(paths: Iterable[str]) -> Traces:
    """Read and merge trace files (ValueError names a file that is missing or not a trace)."""
    paths = list(paths)
    return Traces(merge([load(p) for p in paths]), paths)


def _old_offset(p: int, regions: Sequence[Tuple[int, int, int, int]], end: bool) -> Optional[int]:
    """The input-text offset of current offset ``p`` (a node's start, or with ``end`` its end); None when
    the text there was rewritten (the node is not one the run executed)."""
    old = p
    for _old_start, old_end, cur_start, cur_end in regions:
        if cur_start < p < cur_end:
            return None
        if end:
            if cur_end == p and cur_start < cur_end:
                return None
            if cur_end < p:
                old = p - cur_end + old_end
                continue
        else:
            if cur_start == p and cur_start < cur_end:
                return None
            if cur_end <= p:
                old = p - cur_end + old_end
                continue
        break
    return old


class FileTrace:
    """One file's trace: the lines that ran and the events by span, matched to the nodes of the text the
    engine is fixing (``begin`` with the input text, ``moved`` after each pass)."""

    def __init__(self, entry: Dict[str, Any]) -> None:
        self.lines = set(entry.get("lines", ()))
        #: sha256 of the text the run executed (None: not recorded); ``stale`` once another text is begun
        self.digest: Optional[str] = entry.get("text_sha256")
        self.stale = False
        self.events: List[Dict[str, Any]] = list(entry.get("events", ()))
        self._original: Optional[Lines] = None
        self._current: Optional[str] = None
        self._regions: Sequence[Tuple[int, int, int, int]] = ()
        self._by_span: Dict[Tuple[int, int], List[Dict[str, Any]]] = {}
        self._by_line: Dict[int, List[Dict[str, Any]]] = {}

    # -- kept in step with the fix loop -----------------------------------------------------------
    def begin(self, text: str) -> None:
        """The file's text as it ran (the engine's input): event positions become text offsets. A text that
        is not the one the run executed (changed since, or already migrated) gets no evidence at all."""
        self._original = None
        self.stale = self.digest is not None and hashlib.sha256(text.encode("utf-8")).hexdigest() != self.digest
        if self.stale:
            return
        lines = self._original = Lines(text)
        self._current, self._regions = text, ()
        self._by_span, self._by_line = {}, {}
        count = len(lines.starts)
        for event in self.events:
            line, col = event.get("line"), event.get("col")
            end_line, end_col = event.get("end_line"), event.get("end_col")
            if not isinstance(line, int) or not 0 < line <= count:
                continue
            if col is None or end_line is None or end_col is None or not 0 < end_line <= count:
                self._by_line.setdefault(line, []).append(event)
                continue
            try:
                span = (lines.offset(line, col), lines.offset(end_line, end_col))
            except (IndexError, ValueError):
                continue
            self._by_span.setdefault(span, []).append(event)

    def moved(self, text: str, regions: Sequence[Tuple[int, int, int, int]]) -> None:
        """The engine's text after a pass, and the regions where it differs from the input."""
        self._current, self._regions = text, list(regions)

    # -- questions ----------------------------------------------------------------------------------
    def _old_span(self, ctx: Any, node: ast.AST) -> Optional[Tuple[int, int]]:
        if self._original is None or ctx.text != self._current:
            return None  # a text the trace cannot be placed in (token rules' parse edits): no evidence
        start, end = ctx.span(node)
        for _old_start, _old_end, cur_start, cur_end in self._regions:
            if cur_start < end and cur_end > start or start < cur_start < end:
                return None  # the node's text was rewritten: not what the run executed
        old_start, old_end = _old_offset(start, self._regions, False), _old_offset(end, self._regions, True)
        if old_start is None or old_end is None:
            return None
        return old_start, old_end

    def at(self, ctx: Any, node: ast.AST, kinds: Iterable[str] = ()) -> List[Dict[str, Any]]:
        """The events at ``node``'s span (of ``kinds``: keys of :data:`KINDS` or event kinds), as the run
        saw them. Events without columns (Python < 3.11) match by line, only where ``node`` is the one node
        of its type on that line."""
        if getattr(node, "lineno", None) is None:
            return []  # a node without a position (a comprehension's `for`): nothing to match
        wanted = set()
        for kind in kinds:
            wanted.update(KINDS.get(kind, (kind,)))
        span = self._old_span(ctx, node)
        if span is None:
            return []
        found = [e for e in self._by_span.get(span, ()) if not wanted or e.get("kind") in wanted]
        if not found and self._by_line and self._original is not None:
            line = self._original.position(span[0])[0]
            candidates = [e for e in self._by_line.get(line, ()) if not wanted or e.get("kind") in wanted]
            if candidates and _alone_on_line(ctx, node):
                found = candidates
        return found

    def executed(self, ctx: Any, offset: int) -> Optional[bool]:
        """Did the run execute the line of current offset ``offset``? None: cannot tell (rewritten text)."""
        if self._original is None or ctx.text != self._current:
            return None
        old = _old_offset(offset, self._regions, False)
        if old is None:
            return None
        if self._original.position(old)[0] in self.lines:
            return True
        stmt = _statement_at(ctx, ctx.lines.position(offset)[0])
        if stmt is None:
            return False
        first = _old_offset(ctx.start(stmt), self._regions, False)
        last = _old_offset(ctx.end(stmt), self._regions, True)
        if first is None or last is None:
            return None
        lo, hi = self._original.position(first)[0], self._original.position(last)[0]
        return any(line in self.lines for line in range(lo, hi + 1))

    def gate(self, findings: List[Any], ctx: Any) -> None:
        """A meaning rule's fix on a line the run never executed is reported, not applied (in place)."""
        from torchcompat.migrate.era import change_version
        from torchcompat.migrate.rule import RULES

        if ctx is None or not self.lines or self._original is None:
            return
        for f in findings:
            r = RULES.get(f.code)
            if r is None or r.tokens or getattr(f, "evidence", None) in ("trace", "exact") or change_version(r) is None:
                continue
            if self.executed(ctx, f.offset) is False:
                f.fixable = False
                f.edits = []
                f.imports = set()
                f.severity = "warning"
                if NOT_EXECUTED not in f.message:
                    f.message = "%s (%s)" % (f.message, NOT_EXECUTED)


def _alone_on_line(ctx: Any, node: ast.AST) -> bool:
    """Is ``node`` the only node of its type starting on its line (line-only evidence is then its own)?"""
    index = ctx.__dict__.get("_trace_line_index")
    if index is None:
        index = ctx.__dict__["_trace_line_index"] = {}
        for other in ast.walk(ctx.tree):
            line = getattr(other, "lineno", None)
            if line is not None:
                key = (type(other), line)
                index[key] = index.get(key, 0) + 1
    return index.get((type(node), getattr(node, "lineno", None)), 0) == 1


def _statement_at(ctx: Any, line: int) -> Optional[ast.stmt]:
    """The innermost statement spanning current ``line`` (a multi-line statement runs on other lines)."""
    best: Optional[ast.stmt] = None
    stack: List[ast.AST] = [ctx.tree] if ctx.tree is not None else []
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt) and child.lineno <= line <= (child.end_lineno or child.lineno):
                best = child
                stack.append(child)
    return best
