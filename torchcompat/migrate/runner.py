"""Running the engine over files: reading exactly, diffs, atomic writes, parallel workers."""

from __future__ import annotations

import bisect
import dataclasses
import difflib
import os
import sys
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from torchcompat.migrate.engine import Finding, Options, RuleError, process_text
from torchcompat.migrate.source import decode, encode, write_atomic

#: Below this many files a run stays in one process (starting workers costs more than it saves).
PARALLEL_THRESHOLD = 48


#: ``FileReport.kind`` of a file that failed, and how the summary counts it.
FAILURES = {
    "missing": "not found",
    "read": "unreadable",
    "parse": "could not be parsed",
    "bug": "hit a torchcompat bug",
    "readonly": "read-only",
    "write": "could not be written",
}


@dataclasses.dataclass
class FileReport:
    """What happened to one file. ``error`` (with its ``kind``, a key of :data:`FAILURES`) is set when
    the file failed; it is then left byte for byte as it was."""

    path: str
    findings: List[Finding]
    error: Optional[str] = None
    changed: bool = False  # the fixed text differs (written only with ``written``)
    diff: str = ""
    written: bool = False
    fixed: Dict[str, int] = dataclasses.field(default_factory=dict)
    remaining: List[Finding] = dataclasses.field(default_factory=list)
    lines: int = 0
    output: Optional[bytes] = None  # stdin mode: the fixed bytes
    kind: str = ""
    era: Any = None  # the source era the meaning rules were gated by (torchcompat.migrate.era.Era), or None


#: A changed block of at most this many lines is aligned line by line (difflib); a larger one is shown
#: as a whole replacement (difflib's matching can be quadratic in the block's length).
FINE_DIFF_LINES = 2000


def _line_starts(lines: List[str]) -> List[int]:
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    return starts


class _Opcodes(difflib.SequenceMatcher):
    """A SequenceMatcher that serves opcodes computed elsewhere, for its hunk grouping."""

    def __init__(self, opcodes: List[Tuple[str, int, int, int, int]]) -> None:  # no matching at all
        self._opcodes = opcodes

    def get_opcodes(self) -> List[Tuple[str, int, int, int, int]]:  # type: ignore[override]
        return self._opcodes


def _format_range(start: int, stop: int) -> str:
    length = stop - start
    if length == 1:
        return "%d" % (start + 1)
    return "%d,%d" % (start + 1 if length else start, length)


def _diff(path: str, old: str, new: str, regions: Optional[List[Tuple[int, int, int, int]]] = None) -> str:
    """The unified diff of ``old`` -> ``new`` (what ``difflib.unified_diff`` prints), from the changed
    ``regions`` the engine tracked: only the lines around them are matched, so the cost is linear in the
    file size (a global line matching took minutes on a dense 1 MB file). Without usable regions,
    difflib on the whole file."""
    a = old.splitlines(True)
    b = new.splitlines(True)
    opcodes = _region_opcodes(a, b, old, new, regions) if regions else None
    if opcodes is None:
        return "".join(difflib.unified_diff(a, b, path, path))
    out: List[str] = []
    for group in _Opcodes(opcodes).get_grouped_opcodes(3):
        if not out:
            out += ["--- %s\n" % path, "+++ %s\n" % path]
        first, last = group[0], group[-1]
        out.append("@@ -%s +%s @@\n" % (_format_range(first[1], last[2]), _format_range(first[3], last[4])))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.extend(" " + line for line in a[i1:i2])
                continue
            if tag in ("replace", "delete"):
                out.extend("-" + line for line in a[i1:i2])
            if tag in ("replace", "insert"):
                out.extend("+" + line for line in b[j1:j2])
    return "".join(out)


def _region_opcodes(
    a: List[str], b: List[str], old: str, new: str, regions: List[Tuple[int, int, int, int]]
) -> Optional[List[Tuple[str, int, int, int, int]]]:
    """difflib-style opcodes over the lines ``a``/``b``, or None when the regions do not describe the
    two texts (then the caller matches the whole files)."""
    a_starts, b_starts = _line_starts(a), _line_starts(b)
    # 1. each region widened to whole lines of `old`; regions that share a line form one group
    groups: List[List[Any]] = []  # [a_lo, a_hi, first region, last region]
    o_prev = n_prev = 0
    for region in regions:
        o_s, o_e, n_s, n_e = region
        if o_s < o_prev or o_e < o_s or old[o_prev:o_s] != new[n_prev:n_s]:
            return None  # the text between two regions must be the same in both
        o_prev, n_prev = o_e, n_e
        a_lo = bisect.bisect_right(a_starts, o_s) - 1
        a_hi = min(bisect.bisect_right(a_starts, o_e), len(a))  # the line at `o_e` too: text may be inserted there
        a_lo = min(a_lo, a_hi)
        if groups and a_lo < groups[-1][1]:
            groups[-1][1] = max(groups[-1][1], a_hi)
            groups[-1][3] = region
        else:
            groups.append([a_lo, a_hi, region, region])
    if old[o_prev:] != new[n_prev:]:
        return None
    # 2. the same lines in `new`, then a line matching inside each block only
    opcodes: List[Tuple[str, int, int, int, int]] = []
    i = j = 0
    for a_lo, a_hi, first, last in groups:
        b_lo_off = first[2] - (first[0] - a_starts[a_lo])
        b_hi_off = last[3] + (a_starts[a_hi] - last[1])
        b_lo = bisect.bisect_left(b_starts, b_lo_off)
        b_hi = bisect.bisect_left(b_starts, b_hi_off)
        if b_starts[b_lo] != b_lo_off or b_starts[b_hi] != b_hi_off or a_lo - i != b_lo - j:
            return None  # the line boundaries around a block must correspond
        if a_lo > i:
            opcodes.append(("equal", i, a_lo, j, b_lo))
        if a_hi - a_lo + b_hi - b_lo <= FINE_DIFF_LINES:
            inner = difflib.SequenceMatcher(None, a[a_lo:a_hi], b[b_lo:b_hi], autojunk=False).get_opcodes()
            opcodes.extend((tag, i1 + a_lo, i2 + a_lo, j1 + b_lo, j2 + b_lo) for tag, i1, i2, j1, j2 in inner)
        else:
            opcodes.append(("replace", a_lo, a_hi, b_lo, b_hi))
        i, j = a_hi, b_hi
    if len(a) - i != len(b) - j:
        return None
    if i < len(a):
        opcodes.append(("equal", i, len(a), j, len(b)))
    return _merge_equal(opcodes)


def _merge_equal(opcodes: List[Tuple[str, int, int, int, int]]) -> List[Tuple[str, int, int, int, int]]:
    """Join adjacent opcodes that difflib would have produced as one: two equal runs, or two changes
    with no equal line between them (one ``replace``, ``delete`` or ``insert``)."""
    out: List[Tuple[str, int, int, int, int]] = []
    for op in opcodes:
        if op[1] == op[2] and op[3] == op[4]:
            continue
        if out and (out[-1][0] == "equal") == (op[0] == "equal"):
            prev = out[-1]
            i1, i2, j1, j2 = prev[1], op[2], prev[3], op[4]
            tag = (
                "equal" if op[0] == "equal" else "replace" if i1 < i2 and j1 < j2 else "delete" if i1 < i2 else "insert"
            )
            out[-1] = (tag, i1, i2, j1, j2)
        else:
            out.append(op)
    return out


def os_reason(exc: OSError) -> str:
    """``permission denied`` rather than ``[Errno 13] Permission denied: '/x/y.py'``."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return reason[:1].lower() + reason[1:]


def _missing(path: str) -> str:
    if os.path.islink(path):
        try:
            target = os.readlink(path)
        except OSError:  # pragma: no cover - a link that vanished in between
            target = "?"
        return "broken symbolic link: its target %s does not exist" % target
    return "no such file or directory"


def _not_writable(path: str) -> Optional[str]:
    """Why ``path`` must not be replaced without ``--force-readonly``, or None. The mode bits are read
    directly, so a read-only file is respected even by root (as ``rm`` and editors do)."""
    try:
        mode = os.stat(path).st_mode & 0o7777
    except OSError:
        return None  # the write reports it
    if not mode & 0o222:
        return "read-only file (mode %04o), not written; pass --force-readonly to rewrite it" % mode
    if not os.access(path, os.W_OK):
        return "no write permission (mode %04o), not written; pass --force-readonly to rewrite it" % mode
    return None


def process_path(
    path: str,
    options: Options,
    write: bool = False,
    want_diff: bool = False,
    data: Optional[bytes] = None,
    force_readonly: bool = False,
) -> FileReport:
    """Check or fix one file (``-``: ``data`` read from stdin). The file is only touched when
    ``write`` is set, the fixed text differs and parses, and the file is writable (its mode bits say so,
    or ``force_readonly``); every failure is reported in the returned report, never raised."""
    try:
        if data is None:
            with open(path, "rb") as handle:
                data = handle.read()
    except FileNotFoundError:
        return FileReport(path, [], error=_missing(path), kind="missing")
    except OSError as exc:
        return FileReport(path, [], error="could not read: %s" % os_reason(exc), kind="read")
    if path.lower().endswith(".ipynb"):  # a notebook: its code cells as one module (torchcompat/migrate/ipynb.py)
        from torchcompat.migrate.ipynb import process_notebook

        return process_notebook(path, data, options, write, want_diff, force_readonly)
    try:
        source = decode(data)
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        return FileReport(path, [], error="could not be decoded: %s" % exc, kind="parse")
    text = source.text
    try:
        result = process_text(text, options.for_file(path))
    except RecursionError:
        return FileReport(path, [], error="too deeply nested to analyse", lines=text.count("\n"), kind="parse")
    except RuleError as exc:
        return FileReport(
            path,
            [],
            error="%s; this is a torchcompat bug, please report it with this file; the file was left untouched" % exc,
            lines=text.count("\n"),
            kind="bug",
        )
    report = FileReport(
        path,
        result.findings,
        lines=text.count("\n") + 1,
        fixed=result.fixed,
        remaining=result.remaining,
        era=result.era,
    )
    if result.error is not None:
        report.error = result.error if result.internal else "could not be parsed: %s" % result.error
        report.kind = "bug" if result.internal else "parse"
        return report
    if not result.changed:
        return report
    report.changed = True
    if want_diff:
        report.diff = _diff(path, text, result.text, result.regions)
    new_bytes = encode(result.text, source.encoding)
    if path == "-":
        report.output = new_bytes
    elif write and new_bytes != data:
        write_report(report, path, new_bytes, force_readonly)
    return report


def write_report(report: FileReport, path: str, new_bytes: bytes, force_readonly: bool) -> None:
    """Replace ``path`` with ``new_bytes`` atomically and say so on ``report`` (``written``), or say why not
    (``error``/``kind``: read-only without ``--force-readonly``, or the OS refused); the file is never half written."""
    refused = None if force_readonly else _not_writable(path)
    if refused is not None:
        report.error, report.kind = refused, "readonly"
        return
    try:
        write_atomic(path, new_bytes)
    except OSError as exc:
        report.error, report.kind = "could not write: %s" % os_reason(exc), "write"
        return
    report.written = True


#: project mode: the index of the run's files (:func:`torchcompat.migrate.project.build_index`), set by
#: :func:`run` (and in each worker by the pool's initializer) for the duration of a run
_PROJECT: Any = None


def _set_project(project: Any) -> None:
    global _PROJECT
    _PROJECT = project


def _safe(path: str, options: Options, write: bool, want_diff: bool, force_readonly: bool) -> FileReport:
    """:func:`process_path`, with anything unforeseen reported for the file instead of ending the run
    (in a worker, an exception would abort the whole pool and lose every other file's report)."""
    try:
        if _PROJECT is not None:
            options = dataclasses.replace(options, project=_PROJECT.view(path))
        if options.traces is not None:  # --trace: this file's run-time evidence (a fresh view per file)
            options = dataclasses.replace(options, trace=options.traces.view(path))
        return process_path(path, options, write, want_diff, force_readonly=force_readonly)
    except Exception as exc:  # reported, with its type, as our bug
        return FileReport(
            path,
            [],
            error="internal error (%s: %s); this is a torchcompat bug, please report it; the file was left untouched"
            % (type(exc).__name__, exc),
            kind="bug",
        )


def _work(job: Any) -> FileReport:
    return _safe(*job)


def run(
    paths: Iterable[str],
    options: Options,
    write: bool = False,
    want_diff: bool = False,
    jobs: int = 0,
    progress: Optional[Callable[[int, int], None]] = None,
    force_readonly: bool = False,
) -> List[FileReport]:
    """Process every path (already expanded to files), in parallel for many files
    (:data:`PARALLEL_THRESHOLD`); one report per path, in the order given."""
    files = list(paths)
    reports: List[FileReport] = []
    stdin_data = None
    if "-" in files:
        stdin_data = sys.stdin.buffer.read()
    jobs = jobs or (os.cpu_count() or 1)
    total = len(files)
    regular = [f for f in files if f != "-"]
    _set_project(_build_project(regular, options))
    try:
        _run_files(regular, options, write, want_diff, jobs, progress, force_readonly, reports, total)
    finally:
        _set_project(None)
    if stdin_data is not None:
        reports.append(process_path("-", options, write, want_diff, data=stdin_data))
    order = {p: i for i, p in enumerate(files)}
    reports.sort(key=lambda r: order.get(r.path, 0))
    return reports


def _build_project(files: List[str], options: Options) -> Any:
    """The project index of the run's files, built before the per-file pass (None when no rule that uses it
    is enabled or can fire): a load in one file then knows what another file saves there."""
    from torchcompat.migrate.project import build_index

    enabled = [code for code in ("TC601", "TC104") if options.enabled(code)]
    return build_index(files, enabled) if enabled and files else None


def _run_files(
    regular: List[str],
    options: Options,
    write: bool,
    want_diff: bool,
    jobs: int,
    progress: Optional[Callable[[int, int], None]],
    force_readonly: bool,
    reports: List[FileReport],
    total: int,
) -> None:
    if jobs > 1 and len(regular) >= PARALLEL_THRESHOLD:
        import multiprocessing

        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
        pool_ctx = multiprocessing.get_context(method)
        with pool_ctx.Pool(jobs, initializer=_set_project, initargs=(_PROJECT,)) as pool:
            work = [(f, options, write, want_diff, force_readonly) for f in regular]
            chunk = max(1, min(32, len(work) // (jobs * 8) or 1))
            for done, report in enumerate(pool.imap(_work, work, chunksize=chunk), 1):
                reports.append(report)
                if progress is not None:
                    progress(done, total)
    else:
        for done, path in enumerate(regular, 1):
            reports.append(_safe(path, options, write, want_diff, force_readonly))
            if progress is not None:
                progress(done, total)
