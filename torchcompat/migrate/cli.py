"""``torchcompat check``, ``torchcompat migrate`` and ``torchcompat rules`` (never imports torch).

Exit codes: ``check``: 0 clean, 1 findings, 2 a file failed (missing, unreadable, unparsable; named on
stderr). ``migrate``: 0 nothing to change, 1 files rewritten (``--write``) or that would be (diff,
``--check``), 2 a file failed: it could not be read or parsed, a rule produced invalid code (our bug), or
with ``--write`` it is read-only or could not be written. A failed file is left byte for byte untouched,
every other file is still processed, and the summary is always printed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from torchcompat.migrate.engine import DEFAULT_TARGET, RULES, Options
from torchcompat.migrate.files import iter_python_files

__all__ = [
    "configure_check",
    "main_check",
    "configure_migrate",
    "main_migrate",
    "configure_rules",
    "main_rules",
    "main",
]


def _codes(value: str) -> Tuple[str, ...]:
    return tuple(c.strip().upper() for c in value.split(",") if c.strip())


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        default=["."],
        metavar="PATH",
        help="files or folders ('-' reads stdin; default: .): .py, .pyi and Jupyter notebooks (.ipynb: findings "
        "as nb.ipynb:cell N:line:col, N counting all cells). A folder is walked recursively, skipping hidden, "
        "virtualenv and .gitignore'd folders; symbolic links met while walking are not followed, but a link "
        "named here (file or folder) is",
    )
    target = parser.add_mutually_exclusive_group()
    target.add_argument(
        "--target-version",
        default=None,
        metavar="X.Y",
        help="rewrite to plain torch APIs that exist from this release on (default %s)" % DEFAULT_TARGET,
    )
    target.add_argument(
        "--portable",
        action="store_true",
        help="rewrite to torchcompat adapters (import torchcompat as tc): runs on every release",
    )
    parser.add_argument(
        "--target",
        action="append",
        default=[],
        metavar="LIB=X.Y",
        help="the release of a domain library to rewrite for (torchvision=0.13, torchaudio=2.1, torchtext=0.11); "
        "default: the one paired with --target-version",
    )
    parser.add_argument(
        "--source-version",
        default=None,
        metavar="X.Y",
        help="the torch release the code was written for (default: [tool.torchcompat] source-version in the nearest "
        "pyproject.toml, a `# torchcompat: source-version X.Y` line in the file, else inferred per file from its "
        "evidence). Rules whose shift changed meaning rewrite only code older than the change",
    )
    parser.add_argument(
        "--trace",
        action="append",
        default=[],
        metavar="TRACE.json",
        help="run-time evidence from `torchcompat run --trace` (repeatable: one per entry point, merged): "
        "meaning rules fix what the run saw (integer / on integer tensors, uint8 masks, x[0] on 0-dim values, "
        "softmax ranks) and never rewrite a line the run did not execute",
    )
    parser.add_argument(
        "--explain-era",
        action="store_true",
        help="print per file the source era used and its evidence (file:line, what, which bound)",
    )
    parser.add_argument(
        "--select", default="", metavar="CODES", help="only these rule codes or prefixes, comma-separated (TC1,TC301)"
    )
    parser.add_argument("--ignore", default="", metavar="CODES", help="skip these rule codes or prefixes")
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text", help="output format")
    parser.add_argument(
        "--safe-only", action="store_true", help="apply only fixes marked safe (same meaning on every release)"
    )
    parser.add_argument("-j", "--jobs", type=int, default=0, help="worker processes (default: all cores)")
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="on stderr, only errors and the one-line summary (no per-file lines, rule table or progress; "
        "progress is shown only when stderr is a terminal)",
    )


def configure_check(parser: argparse.ArgumentParser) -> None:
    _common(parser)
    parser.epilog = "exit status: 0 nothing found, 1 findings, 2 a file could not be read or parsed (named on stderr)"
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when something was found")


def configure_migrate(parser: argparse.ArgumentParser) -> None:
    _common(parser)
    parser.epilog = (
        "exit status: 0 nothing to change, 1 files rewritten (or that would be), 2 a file failed: unreadable, "
        "unparsable, read-only or not writable, or a rule produced invalid code; each is named on stderr, "
        "left untouched, and the other files are still processed"
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="rewrite the files in place (atomically)")
    mode.add_argument("--check", action="store_true", help="only report what would change (exit 1 if any)")
    mode.add_argument("--diff", action="store_true", help="print a unified diff (the default)")
    parser.add_argument(
        "--force-readonly",
        action="store_true",
        help="with --write, also rewrite read-only files (no write bit, or not writable by you), keeping "
        "their mode; without it they are reported as failed (exit 2) and left untouched",
    )


def configure_rules(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("codes", nargs="*", metavar="CODE", help="print these rules' documentation pages")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--select", default="", metavar="CODES")


def configure(parser: argparse.ArgumentParser) -> None:  # pragma: no cover - the top CLI uses the named ones
    configure_check(parser)


def _options(args: argparse.Namespace, fix: bool) -> Options:
    return Options(
        target=args.target_version or DEFAULT_TARGET,
        portable=args.portable,
        select=_codes(args.select),
        ignore=_codes(args.ignore),
        fix=fix,
        safe_only=args.safe_only,
        source=getattr(args, "source_version", None),
        explain_era=bool(getattr(args, "explain_era", False)),
        targets=_library_targets(getattr(args, "target", [])),
        traces=_traces(getattr(args, "trace", [])),
    )


def _traces(paths: List[str]) -> Any:
    """The ``--trace`` files, loaded and merged (None without any); a UsageError names a bad file."""
    if not paths:
        return None
    from torchcompat.migrate.trace import load_traces

    try:
        return load_traces(paths)
    except ValueError as exc:
        raise UsageError("--trace: %s" % exc)


def _library_targets(values: List[str]) -> Dict[str, str]:
    """``["torchvision=0.13"]`` -> ``{"torchvision": "0.13"}`` (a UsageError names what is expected)."""
    from torchcompat.shifts.pairing import LIBRARIES

    out: Dict[str, str] = {}
    for value in values:
        name, _, version = value.partition("=")
        if name.strip() not in LIBRARIES or not re.match(r"^\d+\.\d+(\.\d+)?$", version.strip()):
            raise UsageError(
                "--target: expected LIB=X.Y with LIB one of %s (torchvision=0.13), got %r"
                % (", ".join(LIBRARIES), value)
            )
        out[name.strip()] = version.strip()
    return out


#: Progress appears only once a run has taken this long (short runs print nothing extra).
PROGRESS_AFTER_S = 0.5


def _stderr_is_terminal() -> bool:
    isatty = getattr(sys.stderr, "isatty", None)
    try:
        return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"
    except ValueError:  # a closed stream
        return False


def _progress(quiet: bool) -> Optional[Callable[[int, int], None]]:
    """A ``[done/total files]`` counter redrawn in place on stderr, erased at the end; only when stderr
    is a terminal (never in pipes, logs or CI), like other linters."""
    if quiet or not _stderr_is_terminal():
        return None
    started = time.monotonic()
    state = {"last": 0.0, "width": 0}

    def show(done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total:
            if state["width"]:
                sys.stderr.write("\r%s\r" % (" " * int(state["width"])))
                sys.stderr.flush()
            return
        if now - started < PROGRESS_AFTER_S or now - state["last"] < 0.1:
            return
        state["last"] = now
        line = "[%d/%d files]" % (done, total)
        state["width"] = max(state["width"], len(line))
        sys.stderr.write("\r" + line)
        sys.stderr.flush()

    return show


def _load_rules() -> None:
    from torchcompat.migrate import rules  # noqa: F401


class UsageError(Exception):
    pass


def _validate(args: argparse.Namespace) -> None:
    from torchcompat.migrate.engine import MIN_PYTHON

    if sys.version_info < MIN_PYTHON:
        raise UsageError(
            "torchcompat check/migrate needs Python >= %d.%d to run (its output may target any Python); this is %s"
            % (MIN_PYTHON + (sys.version.split()[0],))
        )
    if args.target_version is not None and not re.match(r"^\d+\.\d+(\.\d+)?$", args.target_version):
        raise UsageError("--target-version: expected a release such as 1.8 or 2.1, got %r" % args.target_version)
    source = getattr(args, "source_version", None)
    if source is not None and not re.match(r"^\d+\.\d+(\.\d+)?$", source):
        raise UsageError("--source-version: expected a release such as 0.4 or 1.8, got %r" % source)
    for value in (args.select, args.ignore):
        for code in _codes(value):
            if not re.match(r"^TC\d{0,3}$", code):
                raise UsageError("--select/--ignore: %r is not a rule code or prefix (TC101, TC1, TC)" % code)


def _run(args: argparse.Namespace, fix: bool, write: bool, want_diff: bool) -> Tuple[Any, List[Any]]:
    from torchcompat.migrate.runner import run

    _validate(args)
    _load_rules()
    options = _options(args, fix)
    files = _unique(iter_python_files(args.paths))
    reports = run(
        files,
        options,
        write=write,
        want_diff=want_diff,
        jobs=args.jobs,
        progress=_progress(args.quiet),
        force_readonly=bool(getattr(args, "force_readonly", False)),
    )
    return options, reports


def _unique(paths: Iterable[str]) -> List[str]:
    """Each file once, under the first name it was given by (``a.py .``, a link and its target): two
    workers must never rewrite the same file."""
    seen = set()
    out = []
    for path in paths:
        key = path if path == "-" else os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            out.append(path)
    return out


def _emit_structured(args: argparse.Namespace, reports: List[Any], remaining: bool = False) -> None:
    from torchcompat.migrate import report as rep

    sys.stdout.write(
        (rep.as_json(reports, remaining) if args.format == "json" else rep.as_sarif(reports, remaining)) + "\n"
    )


def _with_era(args: argparse.Namespace, reports: List[Any], summary: List[str]) -> List[str]:
    """The summary with the source-era line before its last line (and with ``--explain-era`` each file's
    era and its evidence). The era line appears when it decided something (a finding of a meaning-changed
    rule) or was asked for (``--explain-era``, ``--source-version``); ``--quiet`` drops it unless explained."""
    from torchcompat.migrate.era import change_version, era_lines

    explain = bool(getattr(args, "explain_era", False))
    meaning = any(f.code in RULES and change_version(RULES[f.code]) is not None for r in reports for f in r.findings)
    if not explain and (args.quiet or not (meaning or getattr(args, "source_version", None))):
        return summary
    return summary[:-1] + era_lines(reports, explain=explain) + summary[-1:]


def main_check(args: argparse.Namespace) -> int:
    from torchcompat.migrate import report as rep

    try:
        _, reports = _run(args, fix=False, write=False, want_diff=False)
    except UsageError as exc:
        sys.stderr.write("torchcompat check: error: %s\n" % exc)
        return 2
    if args.format == "text":
        lines = rep.text_lines(reports)
        if lines:
            sys.stdout.write("\n".join(lines) + "\n")
    else:
        _emit_structured(args, reports)
    for line in rep.error_lines(reports):
        sys.stderr.write(line + "\n")
    if args.format == "text":
        sys.stderr.write("\n".join(_with_era(args, reports, rep.summary(reports, table=not args.quiet))) + "\n")
    if any(r.error for r in reports):
        return 2
    if any(r.findings for r in reports) and not args.exit_zero:
        return 1
    return 0


def main_migrate(args: argparse.Namespace) -> int:
    from torchcompat.migrate import report as rep

    write = bool(args.write)
    want_diff = not args.check and not write
    try:
        _, reports = _run(args, fix=True, write=write, want_diff=want_diff)
    except UsageError as exc:
        sys.stderr.write("torchcompat migrate: error: %s\n" % exc)
        return 2
    out = sys.stdout
    err = sys.stderr
    if args.format == "text":
        for report in reports:
            if report.path == "-" and write and report.output is not None:
                out.flush()
                sys.stdout.buffer.write(report.output)
                sys.stdout.buffer.flush()
            elif report.diff:
                out.write(report.diff if report.diff.endswith("\n") else report.diff + "\n")
            elif args.check and report.changed and not report.error:
                out.write("would rewrite %s\n" % report.path)
            if args.quiet:
                continue
            if report.written:
                err.write("rewrote %s\n" % report.path)
            elif report.diff and report.path != "-":
                err.write("would rewrite %s\n" % report.path)
        if not args.quiet:
            remaining = rep.text_lines(reports, remaining=True)
            if remaining:
                err.write("left for you (no automatic fix):\n" + "\n".join(remaining) + "\n")
    else:
        _emit_structured(args, reports, remaining=True)
    for line in rep.error_lines(reports, fixing=True):
        err.write(line + "\n")
    if args.format == "text":
        summary = rep.summary(reports, fixing=True, write=write, table=not args.quiet)
        err.write("\n".join(_with_era(args, reports, summary)) + "\n")
    if any(r.error for r in reports):
        return 2
    return 1 if any(r.changed for r in reports) else 0


def main_rules(args: argparse.Namespace) -> int:
    _load_rules()
    if getattr(args, "codes", None):
        from torchcompat.migrate import ruledocs

        wanted = [c.upper() for c in args.codes]
        unknown = [c for c in wanted if c not in RULES]
        if unknown:
            sys.stderr.write("torchcompat rules: no rule %s (torchcompat rules lists them)\n" % ", ".join(unknown))
            return 2
        if args.format == "json":
            sys.stdout.write(json.dumps([ruledocs.describe(RULES[c]) for c in wanted], indent=2) + "\n")
        else:
            sys.stdout.write("\n".join(ruledocs.page(RULES[c]) for c in wanted))
        return 0
    selected = [r for r in RULES.values() if not args.select or any(r.code.startswith(p) for p in _codes(args.select))]
    selected.sort(key=lambda r: r.code)
    if args.format == "json":
        sys.stdout.write(json.dumps([r.as_dict() for r in selected], indent=2) + "\n")
        return 0
    for r in selected:
        sys.stdout.write(
            "%s  %-24s %-6s torch>=%-6s %-8s %s\n"
            % (
                r.code,
                r.name,
                "safe" if r.safe else "unsafe",
                r.min_version,
                ("portable:" + r.portable) if r.portable else "-",
                r.message,
            )
        )
        shifts = ", ".join((r.shift,) + r.also)
        optin = "  (opt-in: --select %s)" % r.code if not r.default else ""
        sys.stdout.write("       %s  [shift %s]%s\n" % (r.docs, shifts, optin))
    return 0


def main(args: argparse.Namespace) -> int:  # pragma: no cover
    return main_check(args)
