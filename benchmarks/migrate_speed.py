"""Throughput of ``torchcompat check`` against TorchFix on the same files, in one run.

The files: every ``.py`` file of the installed torch package (found without importing torch), or an
evenly spaced sample of them (``--sample N``) for the side-by-side run, since TorchFix needs minutes
per thousand files. Both tools run as their own command lines (start-up included), with the same
number of worker processes, on the same list of paths. Reports files/s, lines/s and the ratio.

    python benchmarks/migrate_speed.py                    # ours on the whole tree + both on a 300-file sample
    python benchmarks/migrate_speed.py --sample 0         # both on the whole tree (slow: TorchFix ~3 files/s)
    python benchmarks/migrate_speed.py --ours-only

TorchFix lives in its own virtualenv so that it does not disturb the main environment:
``uv venv /work/venvs/torchfix && uv pip install -p /work/venvs/torchfix/bin/python torchfix``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from typing import Dict, List, Optional

DEFAULT_TORCHFIX = "/work/venvs/torchfix/bin/torchfix"


def torch_tree() -> str:
    spec = importlib.util.find_spec("torch")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("torch is not installed here: pass --tree DIR")
    return list(spec.submodule_search_locations)[0]


def python_files(tree: str) -> List[str]:
    found = []
    for folder, dirs, files in os.walk(tree):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        found.extend(os.path.join(folder, f) for f in sorted(files) if f.endswith(".py"))
    return found


def count_lines(paths: List[str]) -> int:
    total = 0
    for path in paths:
        with open(path, "rb") as handle:
            total += handle.read().count(b"\n")
    return total


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_ours(paths: List[str], jobs: int, select: str = "") -> Dict[str, object]:
    cmd = [sys.executable, "-m", "torchcompat", "check", "-q", "--exit-zero", "--format", "json", "-j", str(jobs)]
    if select:
        cmd += ["--select", select]
    start, cpu = time.perf_counter(), _children_cpu()
    proc = subprocess.run(cmd + paths, capture_output=True)
    seconds, cpu = time.perf_counter() - start, _children_cpu() - cpu
    if proc.returncode not in (0, 2):
        raise SystemExit("torchcompat check crashed (exit %d):\n%s" % (proc.returncode, proc.stderr.decode()[-3000:]))
    data = json.loads(proc.stdout.decode())
    return {
        "seconds": seconds,
        "cpu": cpu,
        "findings": len(data["findings"]),
        "errors": data["errors"],
        "summary": data["summary"],
    }


def run_torchfix(paths: List[str], jobs: int, exe: str) -> Dict[str, object]:
    cmd = [exe, "-j", str(jobs)]
    start, cpu = time.perf_counter(), _children_cpu()
    proc = subprocess.run(cmd + paths, capture_output=True)
    seconds, cpu = time.perf_counter() - start, _children_cpu() - cpu
    out = proc.stdout.decode("utf-8", "replace")
    findings = sum(1 for line in out.splitlines() if ": TOR" in line)
    return {"seconds": seconds, "cpu": cpu, "findings": findings, "exit": proc.returncode}


def row(name: str, files: int, lines: int, result: Dict[str, object]) -> str:
    seconds, cpu = float(result["seconds"]), float(result["cpu"])  # type: ignore[arg-type]
    return (
        "%-21s %5d files %8d lines | wall %7.1f s %7.1f files/s %8.0f lines/s | cpu %7.1f s %7.1f files/cpu-s  %s"
        % (
            name,
            files,
            lines,
            seconds,
            files / seconds,
            lines / seconds,
            cpu,
            files / cpu,
            "%s findings" % result["findings"],
        )
    )


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", default=None, help="folder to check (default: the installed torch package)")
    parser.add_argument(
        "--sample", type=int, default=300, help="files for the side-by-side run (evenly spaced; 0 = all). Default 300"
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes for both tools")
    parser.add_argument("--torchfix", default=None, help="the torchfix executable (default %s)" % DEFAULT_TORCHFIX)
    parser.add_argument("--ours-only", action="store_true", help="skip TorchFix (ours on the tree and the sample)")
    parser.add_argument("--select", default="", help="rule codes/prefixes for torchcompat (default: all rules)")
    parser.add_argument("--json", default=None, help="also write the numbers to this file")
    args = parser.parse_args(argv)

    tree = args.tree or torch_tree()
    files = python_files(tree)
    lines = count_lines(files)
    results: Dict[str, object] = {"tree": tree, "files": len(files), "lines": lines, "jobs": args.jobs}
    print(
        "tree: %s (%d .py files, %d lines), %d jobs, %d CPUs"
        % (tree, len(files), lines, args.jobs, os.cpu_count() or 1)
    )

    ours = run_ours(files, args.jobs, args.select)
    results["ours_full"] = ours
    print(row("torchcompat (all)", len(files), lines, ours))
    for error in ours["errors"]:  # type: ignore[union-attr]
        print("  parse failure: %s: %s" % (error["path"], error["message"]))
    if args.sample and args.sample < len(files):
        step = len(files) / float(args.sample)
        sample = [files[int(i * step)] for i in range(args.sample)]
    else:
        sample = files
    sample_lines = count_lines(sample)
    ours_s = run_ours(sample, args.jobs, args.select)
    exe = args.torchfix or (DEFAULT_TORCHFIX if os.path.exists(DEFAULT_TORCHFIX) else shutil.which("torchfix"))
    if args.ours_only or not exe:
        print(row("torchcompat (sample)", len(sample), sample_lines, ours_s))
        if not exe and not args.ours_only:
            print("torchfix not found: install it in its own venv (see the module docstring) or pass --torchfix")
        results.update(ours_sample=ours_s, sample_files=len(sample), sample_lines=sample_lines)
        _dump(args.json, results)
        return 1 if ours["errors"] else 0
    fix = run_torchfix(sample, args.jobs, exe)
    print(row("torchcompat (sample)", len(sample), sample_lines, ours_s))
    print(row("torchfix (sample)", len(sample), sample_lines, fix))
    # same files: the throughput ratio is the time ratio. CPU time is the fair one on a shared machine.
    ratio = float(fix["seconds"]) / float(ours_s["seconds"])  # type: ignore[arg-type]
    cpu_ratio = float(fix["cpu"]) / float(ours_s["cpu"])  # type: ignore[arg-type]
    print(
        "ratio on the same %d files: %.1fx TorchFix's throughput by wall time, %.1fx by CPU time (target >= 30x)"
        % (len(sample), ratio, cpu_ratio)
    )
    results.update(
        ours_sample=ours_s,
        torchfix_sample=fix,
        sample_files=len(sample),
        sample_lines=sample_lines,
        ratio=ratio,
        cpu_ratio=cpu_ratio,
    )
    _dump(args.json, results)
    return 0


def _dump(path: Optional[str], results: Dict[str, object]) -> None:
    if path:
        with open(path, "w") as handle:
            json.dump(results, handle, indent=2, default=str)


if __name__ == "__main__":
    sys.exit(main())
