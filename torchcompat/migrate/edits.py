"""Applying findings to the text: the conflict index of accepted edits (:class:`_Taken`), the edit that adds
the imports a fix needs, and the regions where the fixed text differs from the input, composed pass after
pass so that the diff stays linear (see :func:`.runner._diff`).
"""

from __future__ import annotations

import ast
import bisect
from typing import List, Optional, Set, Tuple

from torchcompat.migrate.context import Context, Finding

Edit = Tuple[int, int, str]
Region = Tuple[int, int, int, int]


def _overlaps(a: Tuple[int, int, str], b: Tuple[int, int, str]) -> bool:
    """Two edits conflict: their spans share text, or both insert at the same point (an insertion at
    the boundary of a replaced span does not conflict)."""
    if a[0] == a[1] == b[0] == b[1]:
        return True
    return a[0] < b[1] and b[0] < a[1]


class _Taken:
    """The spans of the edits accepted so far, sorted, with an overlap test in O(log n) per edit
    (a per-pair test over every accepted edit made dense files quadratic)."""

    def __init__(self) -> None:
        self.spans: List[Tuple[int, int]] = []  # sorted; pairwise non-conflicting, so ends are sorted too

    def conflicts(self, start: int, end: int) -> bool:
        spans = self.spans
        i = bisect.bisect_left(spans, (end, -1))  # spans[:i] start before `end`
        if i and spans[i - 1][1] > start:
            return True  # the one with the largest end among them reaches past `start`
        if start == end:
            j = bisect.bisect_left(spans, (start, start))
            return j < len(spans) and spans[j] == (start, start)
        return False

    def add(self, start: int, end: int) -> None:
        spans = self.spans
        if not spans or spans[-1] <= (start, end):
            spans.append((start, end))  # edits mostly arrive in source order
        else:
            bisect.insort(spans, (start, end))


def _self_overlapping(edits: List[Tuple[int, int, str]]) -> bool:
    """Whether some two edits of one finding conflict (sorted sweep, see :func:`_overlaps`)."""
    if len(edits) < 2:
        return False
    reach = -1
    previous = None
    for start, end in sorted((e[0], e[1]) for e in edits):
        if start < reach or (start == end and previous == (start, end)):
            return True
        reach = max(reach, end)
        previous = (start, end)
    return False


def _apply_edits(text: str, edits: List[Tuple[int, int, str]]) -> str:
    out = []
    pos = 0
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
        out.append(text[pos:start])
        out.append(new)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _import_edit(ctx: Context, modules: Set[str], first_use: int = 0) -> Optional[Tuple[int, int, str]]:
    """One edit adding ``import torch`` / ``import torchcompat as tc`` at the top of the module (above
    ``first_use``, the first line a fix writes the name on, when the file's own import comes later)."""
    tree = ctx.tree
    if tree is None or not modules or not getattr(tree, "body", None):
        return None
    lines = []
    for module in sorted(modules):
        if ctx.imports is not None and ctx.imports.local_for(module) is not None:
            bound = ctx.bound_at(module)
            if not first_use or bound is None or bound <= first_use:
                continue
        lines.append("import torchcompat as tc" if module == "torchcompat" else "import " + module)
    if not lines:
        return None
    body = tree.body
    anchor = None
    for stmt in body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in stmt.names]
            module = getattr(stmt, "module", None) or ""
            if module == "__future__":
                anchor = stmt
                continue
            if module.split(".")[0] == "torch" or any(n.split(".")[0] == "torch" for n in names):
                if not first_use or stmt.lineno < first_use:
                    anchor = stmt
                break
    if anchor is None:
        index = 0
        if (
            isinstance(body[0], ast.Expr)
            and isinstance(getattr(body[0], "value", None), ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            anchor = body[0]
            index = 1
        while index < len(body) and isinstance(body[index], ast.ImportFrom) and body[index].module == "__future__":
            anchor = body[index]
            index += 1
    nl = ctx.newline
    text = "".join(line + nl for line in lines)
    if anchor is None:
        first = body[0]
        if getattr(first, "decorator_list", None):
            first = first.decorator_list[0]
        pos = ctx.lines.starts[first.lineno - 1]
        return pos, pos, text
    is_torch_anchor = not (isinstance(anchor, ast.ImportFrom) and anchor.module == "__future__") and not (
        isinstance(anchor, ast.Expr)
    )
    if is_torch_anchor and lines[0] == "import torch" and anchor.col_offset == 0:
        before = [line for line in lines if line == "import torch"]
        after = [line for line in lines if line != "import torch"]
        if not after:  # `import torch` goes above `import torch.nn as nn` (isort order)
            pos = ctx.lines.starts[anchor.lineno - 1]
            return pos, pos, "".join(line + nl for line in before)
    end_line = anchor.end_lineno
    if end_line < len(ctx.lines.starts):
        pos = ctx.lines.starts[end_line]
        return pos, pos, text
    pos = len(ctx.text)
    return pos, pos, nl + text.rstrip("\r\n")


def _apply(text: str, findings: List[Finding], ctx: Optional[Context]) -> Tuple[str, List[Finding], List[Edit]]:
    """Apply every fixable finding whose edits conflict with no earlier one (and the imports they
    need): the new text, the findings applied, and the edits made (sorted)."""
    taken: List[Tuple[int, int, str]] = []
    spans = _Taken()
    applied: List[Finding] = []
    for f in findings:
        if not f.fixable or not f.edits:
            continue
        if any(spans.conflicts(e[0], e[1]) for e in f.edits) or _self_overlapping(f.edits):
            continue
        for e in f.edits:
            spans.add(e[0], e[1])
        taken.extend(f.edits)
        applied.append(f)
    if not applied:
        return text, [], []
    modules: Set[str] = set()
    for f in applied:
        modules |= f.imports
    if modules and ctx is not None:
        first_use = min((f.line for f in applied if f.imports), default=0)
        edit = _import_edit(ctx, modules, first_use)
        if edit is not None:
            taken.append(edit)
    taken.sort(key=lambda e: (e[0], e[1]))
    return _apply_edits(text, taken), applied, taken


def _compose(regions: List[Region], edits: List[Edit]) -> List[Region]:
    """Where two texts differ, kept up to date across the passes of the fix loop: ``regions`` are
    ``(old_start, old_end, cur_start, cur_end)`` spans (the input text vs the current one; everything
    outside them is equal and in the same order); ``edits`` (sorted, current coordinates) make the next
    text. Returns the regions against that next text: overlapping or touching spans merge. Linear, so
    the diff of a large file needs no quadratic line matching (see :func:`.runner._diff`)."""
    items = sorted(
        [(r[2], r[3], 0, r) for r in regions] + [(e[0], e[1], 1, e) for e in edits], key=lambda x: (x[0], x[1])
    )
    out: List[Region] = []
    shift = 0  # next-text offset minus current offset, after the edits so far
    delta = 0  # current offset minus input offset, in the unchanged text after the regions so far
    i = 0
    while i < len(items):
        start, end = items[i][0], items[i][1]
        group = [items[i]]
        i += 1
        while i < len(items) and items[i][0] <= end:
            end = max(end, items[i][1])
            group.append(items[i])
            i += 1
        olds = [g[3] for g in group if g[2] == 0]
        growth = sum(len(g[3][2]) - (g[1] - g[0]) for g in group if g[2] == 1)
        old_start = olds[0][0] if olds and olds[0][2] == start else start - delta
        if olds:
            delta = olds[-1][3] - olds[-1][1]
        old_end = olds[-1][1] if olds and olds[-1][3] == end else end - delta
        delta = end - old_end
        out.append((old_start, old_end, start + shift, end + shift + growth))
        shift += growth
    return out
