"""The trace file of ``torchcompat run --trace`` (written by :mod:`torchcompat.legacy.trace`, read by
:mod:`torchcompat.migrate.trace`): JSON with a ``version``, the runs, and per real file path the lines it
executed and the events seen there. Never imports torch.

Event: ``{"kind", "line", "col", "end_line", "end_col", "count", "operands": [{"dtype", "shape"} or
{"type"}], "any_negative", "detail"?}``; ``col``/``end_*`` are ``None`` where Python (< 3.11) gives no
column (the span is the instruction's, from ``co_positions()``: UTF-8 byte columns like ``ast``'s).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Tuple

__all__ = ["VERSION", "load", "merge"]

#: The trace file format's version (``torchcompat migrate --trace`` refuses other versions).
VERSION = 1


def load(path: str) -> Dict[str, Any]:
    """Read a trace file, checking its version (ValueError names the file and what to do)."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError) as exc:
        raise ValueError("cannot read trace %s: %s" % (path, exc))
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("files"), dict):
        raise ValueError(
            "%s is not a torchcompat trace of version %d: record it again with `torchcompat run --trace`"
            % (path, VERSION)
        )
    return data


def _event_key(event: Dict[str, Any]) -> Tuple[Any, ...]:
    return (
        event.get("kind"),
        event.get("line"),
        event.get("col"),
        event.get("end_line"),
        event.get("end_col"),
        json.dumps(event.get("operands", []), sort_keys=True),
        json.dumps(event.get("detail", {}), sort_keys=True),
    )


def merge(traces: List[Dict[str, Any]]) -> Dict[str, Any]:
    """One trace from several (one per entry point, or appended runs): events of one key add their
    counts (and OR their signs), executed lines unite."""
    files: Dict[str, Dict[str, Any]] = {}
    runs: List[Any] = []
    columns = True
    for trace in traces:
        runs.extend(trace.get("runs", []))
        columns = columns and bool(trace.get("columns", False))
        for real, entry in trace.get("files", {}).items():
            target = files.setdefault(real, {"lines": set(), "events": {}})
            target["lines"].update(entry.get("lines", []))
            digest = entry.get("text_sha256")
            if target.setdefault("text_sha256", digest) != digest:
                target["stale"] = True  # two runs of different texts: neither's positions can be trusted
            for event in entry.get("events", []):
                key = _event_key(event)
                found = target["events"].get(key)
                if found is None:
                    target["events"][key] = dict(event)
                else:
                    found["count"] = found.get("count", 0) + event.get("count", 0)
                    found["any_negative"] = bool(found.get("any_negative")) or bool(event.get("any_negative"))
    out = dict(traces[-1]) if traces else {"version": VERSION}
    out["runs"] = runs
    out["columns"] = columns
    out["files"] = {
        real: {
            "lines": sorted(entry["lines"]),
            "events": list(entry["events"].values()),
            # runs of different texts: "mixed" matches no text, so neither's positions are used
            "text_sha256": "mixed" if entry.get("stale") else entry.get("text_sha256"),
        }
        for real, entry in files.items()
    }
    return out
