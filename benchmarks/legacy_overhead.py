"""Overhead of ``torchcompat run``: a legacy script under the restores vs the same script migrated by hand.

Runs ``examples/rnn_sentiment_03.py`` with ``torchcompat.legacy`` patched (as ``torchcompat run`` does)
and ``examples/rnn_sentiment_modern.py`` unpatched, interleaved in one process (torch imported once),
and prints the ratio of the best wall times. Target: <= 1.2. Both print the same RESULT (checked).

    python benchmarks/legacy_overhead.py [--repeat 5] [--steps 120]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import runpy
import sys
import time
import warnings
from typing import List, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(os.path.dirname(HERE), "examples")
LEGACY = os.path.join(EXAMPLES, "rnn_sentiment_03.py")
MODERN = os.path.join(EXAMPLES, "rnn_sentiment_modern.py")


def _run(path: str, steps: int, patched: bool) -> Tuple[float, str]:
    from torchcompat.legacy.cli import run_script

    out = io.StringIO()
    saved = sys.argv[:]
    start = time.perf_counter()
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if patched:
            code = run_script(path, ["--steps", str(steps)])
            if code:
                raise SystemExit("%s failed under torchcompat run (exit %d)" % (path, code))
        else:
            sys.argv = [path, "--steps", str(steps)]
            try:
                runpy.run_path(path, run_name="__main__")
            finally:
                sys.argv = saved
    elapsed = time.perf_counter() - start
    result = [line.split()[-1] for line in out.getvalue().splitlines() if line.startswith("RESULT")]
    return elapsed, result[-1] if result else "?"


def main(argv: List[str] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (1: steadier timings)")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    _run(MODERN, 5, False)  # warm-up: imports, first-call costs
    _run(LEGACY, 5, True)
    legacy_times, modern_times = [], []
    results = set()
    for _ in range(args.repeat):
        t, r = _run(MODERN, args.steps, False)
        modern_times.append(t)
        results.add(r)
        t, r = _run(LEGACY, args.steps, True)
        legacy_times.append(t)
        results.add(r)
    ratio = min(legacy_times) / min(modern_times)
    print("torch %s, %d steps, best of %d" % (torch.__version__, args.steps, args.repeat))
    print("modern (hand-migrated)  %.3f s" % min(modern_times))
    print("legacy (torchcompat run) %.3f s" % min(legacy_times))
    print(
        "ratio %.3f (target <= 1.2)%s" % (ratio, "" if len(results) == 1 else "  RESULTS DIFFER: %s" % sorted(results))
    )
    return 0 if ratio <= 1.2 and len(results) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
