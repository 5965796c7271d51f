"""Reporters: text (``path:line:col: CODE message``), JSON and SARIF 2.1.0, and the per-rule summary."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Sequence

from torchcompat.migrate.engine import RULES
from torchcompat.migrate.era import as_dict as era_dict
from torchcompat.migrate.runner import FAILURES, FileReport

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def text_lines(reports: Sequence[FileReport], remaining: bool = False) -> List[str]:
    out = []
    for report in reports:
        for f in report.remaining if remaining else report.findings:
            # a notebook's findings name their cell (torchcompat/migrate/ipynb.py)
            cell = "cell %d:" % f.cell if getattr(f, "cell", None) else ""
            out.append("%s:%s%d:%d: %s %s" % (report.path, cell, f.line, f.col, f.code, f.message))
    return out


#: failures after which a run that may write says, once, that the file was not touched
_UNCHANGED = ("parse", "read", "write")


def error_lines(reports: Sequence[FileReport], fixing: bool = False) -> List[str]:
    """``path: error: reason`` for every file that failed (``fixing``: saying the file was left as it was)."""
    out = []
    for r in reports:
        if r.error:
            tail = " (file left unchanged)" if fixing and r.kind in _UNCHANGED else ""
            out.append("%s: error: %s%s" % (r.path, r.error, tail))
    return out


def counts(reports: Sequence[FileReport], remaining: bool = False) -> Dict[str, int]:
    found: Dict[str, int] = {}
    for report in reports:
        for f in report.remaining if remaining else report.findings:
            found[f.code] = found.get(f.code, 0) + 1
    return dict(sorted(found.items()))


def _plural(n: int, word: str) -> str:
    return "%d %s%s" % (n, word, "" if n == 1 else "s")


def failure_counts(reports: Sequence[FileReport]) -> Dict[str, int]:
    """kind -> number of files that failed that way, in the order of :data:`FAILURES`."""
    found: Dict[str, int] = {}
    for r in reports:
        if r.error:
            found[r.kind or "parse"] = found.get(r.kind or "parse", 0) + 1
    return {k: found[k] for k in list(FAILURES) + sorted(set(found) - set(FAILURES)) if k in found}


def summary(reports: Sequence[FileReport], fixing: bool = False, write: bool = False, table: bool = True) -> List[str]:
    """Lines of the closing summary: one per rule (``table``), then the totals, where every file is
    counted as rewritten, unchanged or failed (``fixing``: ``migrate``; ``write``: with ``--write``)."""
    lines = []
    found = counts(reports)
    fixed: Dict[str, int] = {}
    for report in reports:
        if report.error:
            continue  # a file that failed (read-only, not writable, ...) keeps its findings
        for code, n in report.fixed.items():
            fixed[code] = fixed.get(code, 0) + n
    fixable: Dict[str, int] = {}
    for report in reports:
        for f in report.findings:
            if f.fixable:
                fixable[f.code] = fixable.get(f.code, 0) + 1
    if table:
        for code in sorted(set(found) | set(fixed)):
            rule = RULES.get(code)
            detail = "%d fixed" % fixed.get(code, 0) if fixing else "%d fixable" % fixable.get(code, 0)
            lines.append("%6d  %s  %-24s (%s)" % (found.get(code, 0), code, rule.name if rule else "?", detail))
    total = sum(found.values())
    files_with = sum(1 for r in reports if r.findings)
    failures = failure_counts(reports)
    failed = sum(failures.values())
    tail = "Found %s in %d of %s" % (_plural(total, "finding"), files_with, _plural(len(reports), "file"))
    if fixing:
        if write:
            done = sum(1 for r in reports if r.written or (r.path == "-" and r.changed and not r.error))
            verb = ""
        else:
            done = sum(1 for r in reports if r.changed and not r.error)
            verb = "would be "
        unchanged = len(reports) - done - failed
        tail += "; %s %srewritten, %s %sleft unchanged" % (
            _plural(done, "file"),
            verb,
            _plural(unchanged, "file"),
            verb,
        )
    else:
        tail += " (%d fixable with `torchcompat migrate`)" % sum(fixable.values())
    if failed:
        detail = ", ".join("%d %s" % (n, FAILURES.get(k, k)) for k, n in failures.items())
        tail += "; %s failed (%s)" % (_plural(failed, "file"), detail)
    lines.append(tail + ".")
    return lines


def as_json(reports: Sequence[FileReport], remaining: bool = False) -> str:
    findings = []
    for report in reports:
        for f in report.remaining if remaining else report.findings:
            item = {"path": report.path}
            item.update(f.as_dict())
            findings.append(item)
    data: Dict[str, Any] = {
        "findings": findings,
        "errors": [{"path": r.path, "kind": r.kind, "message": r.error} for r in reports if r.error],
        "changed": [r.path for r in reports if r.changed],
        "summary": counts(reports, remaining),
        # each file's source era (None: no rule needed one), which decided the meaning rules' rewrites
        "eras": [{"path": r.path, "era": era_dict(getattr(r, "era", None))} for r in reports if r.kind != "missing"],
    }
    return json.dumps(data, indent=2, sort_keys=False)


def as_sarif(reports: Sequence[FileReport], remaining: bool = False) -> str:
    from torchcompat import __version__

    used = sorted({f.code for r in reports for f in (r.remaining if remaining else r.findings)})
    rules = []
    index = {}
    for i, code in enumerate(used):
        rule = RULES[code]
        index[code] = i
        rules.append(
            {
                "id": code,
                "name": rule.name,
                "shortDescription": {"text": rule.message},
                "fullDescription": {"text": rule.docs},
                "properties": {"shift": rule.shift, "min_version": rule.min_version, "safe": rule.safe},
            }
        )
    results = []
    for report in reports:
        era = era_dict(getattr(report, "era", None), full=False)
        for f in report.remaining if remaining else report.findings:
            results.append(
                {
                    "ruleId": f.code,
                    "properties": {"sourceEra": era},
                    "ruleIndex": index[f.code],
                    "level": "warning" if f.severity == "warning" else "error",
                    "message": {"text": ("cell %d: " % f.cell if getattr(f, "cell", None) else "") + f.message},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {"uri": report.path.replace("\\", "/")},
                                "region": {"startLine": f.line, "startColumn": f.col},
                            }
                        }
                    ],
                }
            )
    notifications = [
        {
            "level": "error",
            "message": {"text": r.error},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": r.path.replace("\\", "/")}}}],
        }
        for r in reports
        if r.error
    ]
    sarif = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "torchcompat",
                        "version": __version__,
                        "informationUri": "https://github.com/torchcompat/torchcompat",
                        "rules": rules,
                    }
                },
                "results": results,
                "properties": {
                    "sourceEras": [
                        {"uri": r.path.replace("\\", "/"), "era": era_dict(getattr(r, "era", None))}
                        for r in reports
                        if r.kind != "missing"
                    ]
                },
                "invocations": [
                    {"executionSuccessful": not notifications, "toolExecutionNotifications": notifications}
                ],
            }
        ],
    }
    return json.dumps(sarif, indent=2)
