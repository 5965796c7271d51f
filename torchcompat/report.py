"""``torchcompat info``: the running torch, its build, and every shift's adapter status on it."""

from __future__ import annotations

import argparse
import json
import platform
import sys
import types
from typing import Any, Dict, List, Optional


def load_faces() -> None:
    """Import the areas and every consumer that attaches faces to records (restores, migration rules);
    neither needs torch at import, so the table and the report are the same with or without it."""
    import torchcompat.shifts  # noqa: F401 - hands the registry its areas
    from torchcompat.legacy import restores
    from torchcompat.migrate import rules  # noqa: F401 - importing registers the rule faces

    restores.load_all()


def shift_rows(torch_module: Optional[types.ModuleType] = None) -> List[Dict[str, Any]]:
    """One dict per shift: its facts, and the status of each of its adapters on ``torch_module``.

    A shift's own ``status`` is the weakest of its adapters' (unavailable < backported < native),
    ``"none"`` when it has no adapter (a migration- or restore-only shift)."""
    from torchcompat.registry import BACKPORTED, NATIVE, REGISTRY, UNAVAILABLE, Binding

    if torch_module is None:
        import torch as torch_module
    load_faces()
    binding = Binding(torch_module)
    order = {UNAVAILABLE: 0, BACKPORTED: 1, NATIVE: 2}
    rows = []
    for shift in REGISTRY:
        adapters = {}
        for name in sorted(shift.adapters):
            try:
                res = binding.resolution(name)
                adapters[name] = {"status": res.status, "note": res.note, "needs": res.needs}
            except Exception as exc:  # a broken resolver is reported, not fatal for info
                adapters[name] = {"status": UNAVAILABLE, "note": "resolver failed: %r" % exc, "needs": None}
        statuses = [a["status"] for a in adapters.values()]
        status = min(statuses, key=order.__getitem__) if statuses else "none"
        rows.append(
            {
                "id": shift.id,
                "area": shift.area,
                "summary": shift.summary,
                "status": status,
                "adapters": adapters,
                "faces": sorted(["adapter"] * bool(shift.adapters) + [k for k, v in shift.faces.items() if v]),
                "strategy": shift.strategy,
                "link": shift.link,
                **shift.versions(),
            }
        )
    return rows


def info(torch_module: Optional[types.ModuleType] = None) -> Dict[str, Any]:
    """Everything ``torchcompat info --json`` prints."""
    from torchcompat import __version__
    from torchcompat.probe import TorchEnv

    if torch_module is None:
        import torch as torch_module
    env = TorchEnv.of(torch_module)
    build = env.build
    return {
        "torchcompat_version": __version__,
        "torch_version": str(env.version),
        "torch_release": list(env.release),
        "python": platform.python_version(),
        "build": {"kind": build.kind, "cuda": build.cuda, "hip": build.hip, "mps": build.mps, "text": str(build)},
        "shifts": shift_rows(torch_module),
    }


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument("--area", help="only shifts of this area (autograd, nn, linalg ...)")


def main(args: argparse.Namespace) -> int:
    data = info()
    if args.area:
        data["shifts"] = [r for r in data["shifts"] if r["area"] == args.area]
    if args.json:
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    out = sys.stdout
    out.write(
        "torch %s (%s) on Python %s; torchcompat %s\n"
        % (data["torch_version"], data["build"]["text"], data["python"], data["torchcompat_version"])
    )
    counts: Dict[str, int] = {}
    for row in data["shifts"]:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    out.write(
        "%d shifts: %s\n\n" % (len(data["shifts"]), ", ".join("%d %s" % (v, k) for k, v in sorted(counts.items())))
    )
    width = max([len(r["id"]) for r in data["shifts"]] + [10])
    for row in data["shifts"]:
        out.write("%-*s  %-11s  %s\n" % (width, row["id"], row["status"], row["summary"]))
        for name, a in row["adapters"].items():
            extra = " (needs torch >= %s)" % a["needs"] if a["needs"] else (" (%s)" % a["note"] if a["note"] else "")
            out.write("%-*s    tc.%s: %s%s\n" % (width, "", name, a["status"], extra))
    return 0
