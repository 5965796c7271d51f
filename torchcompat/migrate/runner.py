"""Running the engine over files: reading exactly, diffs, atomic writes, parallel workers."""

from __future__ import annotations

import dataclasses
import difflib
import os
import sys
from typing import Any, Callable, Dict, Iterable, List, Optional

from torchcompat.migrate.engine import Finding, Options, RuleError, process_text
from torchcompat.migrate.source import decode, encode, write_atomic

#: Below this many files a run stays in one process (starting workers costs more than it saves).
PARALLEL_THRESHOLD = 48


@dataclasses.dataclass
class FileReport:
    path: str
    findings: List[Finding]
    error: Optional[str] = None
    changed: bool = False
    diff: str = ""
    written: bool = False
    fixed: Dict[str, int] = dataclasses.field(default_factory=dict)
    remaining: List[Finding] = dataclasses.field(default_factory=list)
    lines: int = 0
    output: Optional[bytes] = None  # stdin mode: the fixed bytes


def _diff(path: str, old: str, new: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), path, path))


def process_path(
    path: str, options: Options, write: bool = False, want_diff: bool = False, data: Optional[bytes] = None
) -> FileReport:
    """Check or fix one file (``-``: ``data`` read from stdin). The file is only touched when
    ``write`` is set, the fixed text differs, and it parses."""
    try:
        if data is None:
            with open(path, "rb") as handle:
                data = handle.read()
        source = decode(data)
    except (OSError, SyntaxError, UnicodeDecodeError, LookupError) as exc:
        return FileReport(path, [], error="cannot read: %s" % exc)
    text = source.text
    try:
        result = process_text(text, options)
    except RecursionError:
        return FileReport(path, [], error="too deeply nested to analyse", lines=text.count("\n"))
    except RuleError as exc:
        return FileReport(path, [], error="internal error (please report): %s" % exc, lines=text.count("\n"))
    report = FileReport(
        path,
        result.findings,
        error=result.error,
        lines=text.count("\n") + 1,
        fixed=result.fixed,
        remaining=result.remaining,
    )
    if result.error is not None or not result.changed:
        return report
    report.changed = True
    if want_diff:
        report.diff = _diff(path, text, result.text)
    new_bytes = encode(result.text, source.encoding)
    if path == "-":
        report.output = new_bytes
    elif write and new_bytes != data:
        write_atomic(path, new_bytes)
        report.written = True
    return report


def _work(job: Any) -> FileReport:
    path, options, write, want_diff = job
    return process_path(path, options, write, want_diff)


def run(
    paths: Iterable[str],
    options: Options,
    write: bool = False,
    want_diff: bool = False,
    jobs: int = 0,
    progress: Optional[Callable[[int, int], None]] = None,
) -> List[FileReport]:
    """Process every path (already expanded to files), in parallel for many files."""
    files = list(paths)
    reports: List[FileReport] = []
    stdin_data = None
    if "-" in files:
        stdin_data = sys.stdin.buffer.read()
    jobs = jobs or (os.cpu_count() or 1)
    total = len(files)
    regular = [f for f in files if f != "-"]
    if jobs > 1 and len(regular) >= PARALLEL_THRESHOLD:
        import multiprocessing

        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
        pool_ctx = multiprocessing.get_context(method)
        with pool_ctx.Pool(jobs) as pool:
            work = [(f, options, write, want_diff) for f in regular]
            chunk = max(1, min(32, len(work) // (jobs * 8) or 1))
            for done, report in enumerate(pool.imap(_work, work, chunksize=chunk), 1):
                reports.append(report)
                if progress is not None:
                    progress(done, total)
    else:
        for done, path in enumerate(regular, 1):
            reports.append(process_path(path, options, write, want_diff))
            if progress is not None:
                progress(done, total)
    if stdin_data is not None:
        reports.append(process_path("-", options, write, want_diff, data=stdin_data))
    order = {p: i for i, p in enumerate(files)}
    reports.sort(key=lambda r: order.get(r.path, 0))
    return reports
