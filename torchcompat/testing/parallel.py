"""Run nox sessions in parallel streams: ``torchcompat matrix --run --jobs N``.

nox runs its sessions one after another. A release matrix on an N-core machine goes faster as N nox
processes over disjoint session lists (tox's ``tox p``, for nox). The lists are stripes of the release
order (1.0, 1.2, ... and 1.1, 1.3, ...), because a newer torch costs more to import and test: every stream
gets old and new releases alike. Output lines are prefixed with their stream and the time since the
start, ``[1 02:05]``. Each stream's torch gets its share of the cores (``OMP_NUM_THREADS``, unless set).
Never imports torch.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import threading
import time
from typing import IO, List, Optional, Sequence

__all__ = ["stripes", "nox_command", "run_streams"]


def stripes(items: Sequence[str], count: int) -> List[List[str]]:
    """``items`` dealt into ``count`` lists in turn (the empty ones left out), keeping their order."""
    if count < 1:
        raise ValueError("the number of streams must be at least 1, got %d" % count)
    return [list(items[i::count]) for i in range(count) if items[i::count]]


def nox_command(
    sessions: Sequence[str], noxfile: Optional[str] = None, posargs: Sequence[str] = (), python: Optional[str] = None
) -> List[str]:
    """The command line of one stream: ``python -m nox --non-interactive -s S1 S2 ... [-- posargs]``."""
    cmd = [python or sys.executable, "-m", "nox", "--non-interactive"]
    if noxfile:
        cmd += ["--noxfile", noxfile]
    cmd += ["--sessions"] + list(sessions)
    if posargs:
        cmd += ["--"] + list(posargs)
    return cmd


def _pump(
    proc: "subprocess.Popen[bytes]", prefix: str, started: float, out: IO[str], lock: threading.Lock, record: dict
) -> None:
    """Copy one stream's output to ``out``, each line prefixed with the stream and the time since the start
    (``[1 02:05]``, to see where the time goes); then record its exit status, end time and the
    nox lines that name failed (or aborted) sessions."""
    assert proc.stdout is not None
    for raw in iter(proc.stdout.readline, b""):
        line = raw.decode("utf-8", "replace").rstrip("\n")
        if line.startswith("nox > Session ") and (" failed" in line or " aborted" in line):
            record["failed"].append(line[len("nox > ") :])
        with lock:
            elapsed = int(time.time() - started)
            out.write("[%s %02d:%02d] %s\n" % (prefix, elapsed // 60, elapsed % 60, line))
            out.flush()
    proc.stdout.close()
    record["code"] = proc.wait()
    record["ended"] = time.time()


def run_streams(
    sessions: Sequence[str],
    jobs: int,
    noxfile: Optional[str] = None,
    posargs: Sequence[str] = (),
    out: Optional[IO[str]] = None,
    python: Optional[str] = None,
) -> int:
    """Run ``sessions`` as ``jobs`` nox processes at once; 0 if every stream passed, 1 if one failed, 2 if
    nox is missing.

    Each stream's output goes to ``out`` (stdout), line by line with its ``[k mm:ss]`` prefix. A summary closes
    the run: each stream's exit status, session count and wall time, and every session that failed."""
    out = out or sys.stdout
    if python is None and importlib.util.find_spec("nox") is None:
        out.write("torchcompat matrix --run needs nox in this environment: pip install nox\n")
        return 2
    if not sessions:
        out.write("torchcompat matrix --run: no session to run\n")
        return 1
    lock = threading.Lock()
    started = time.time()
    running = []
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    # N streams of torch processes, each with as many OpenMP threads as cores, oversubscribe the machine: old
    # releases spin-wait in OpenMP and ran some tests 10-70x slower here (1.6, 1.7 with 2 streams on 2 cores)
    parts = stripes(list(sessions), jobs)
    threads = str(max(1, (os.cpu_count() or 1) // len(parts)))
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, threads)
    for k, part in enumerate(parts, 1):
        cmd = nox_command(part, noxfile, posargs, python)
        with lock:
            out.write("[%d] %s\n" % (k, subprocess.list2cmdline(cmd)))
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
        record: dict = {"failed": [], "code": None, "ended": None}
        pump = threading.Thread(target=_pump, args=(proc, str(k), started, out, lock, record), daemon=True)
        pump.start()
        running.append((k, part, proc, pump, record))
    try:
        for _, _, _, pump, _ in running:
            pump.join()
    except KeyboardInterrupt:
        for _, _, proc, _, _ in running:
            proc.terminate()
        raise
    out.write("\n== %d stream(s), %.0f s wall\n" % (len(running), time.time() - started))
    for k, part, _, _, record in running:
        status = "ok" if record["code"] == 0 else "FAILED (exit %s)" % record["code"]
        out.write("[%d] %s: %d session(s) in %.0f s\n" % (k, status, len(part), record["ended"] - started))
        for line in record["failed"]:
            out.write("    %s\n" % line)
    return 0 if all(record["code"] == 0 for *_, record in running) else 1
