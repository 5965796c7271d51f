"""Import overhead: (import torch + torchcompat) / (import torch), measured in one run.

Two measurements, both in fresh interpreters:
- in-process (the headline): each sample times ``import torch`` and then ``import torchcompat`` plus
  the first use of two adapters in the same interpreter; ratio = median of (torch + tc) / torch.
  Robust on a busy machine, because both parts of a sample see the same load.
- whole process: wall time of ``python -c "import torch"`` against ``python -c "import torch,
  torchcompat; ..."``, samples alternating; ratio of medians (noisy where other jobs run).
Target: <= 1.05.

    python benchmarks/import_overhead.py [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

BASE = "import torch"
WITH = "import torch, torchcompat as tc; tc.no_grad; tc.item"
IN_PROCESS = (
    "import time, json; t0 = time.perf_counter(); import torch; t1 = time.perf_counter(); "
    "import torchcompat as tc; tc.no_grad; tc.item; t2 = time.perf_counter(); "
    "print(json.dumps([t1 - t0, t2 - t1]))"
)


def wall(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    # As installed from a wheel: byte-compiled (PYTHONDONTWRITEBYTECODE=1 is set on some machines,
    # and an editable install would otherwise recompile torchcompat in every sample).
    import compileall
    import os

    import torchcompat

    compileall.compile_dir(os.path.dirname(torchcompat.__file__), quiet=1)
    wall(WITH)  # warm the file cache
    ratios, torch_s, tc_s, base, with_tc = [], [], [], [], []
    for _ in range(args.runs):
        out = subprocess.run([sys.executable, "-c", IN_PROCESS], check=True, stdout=subprocess.PIPE).stdout
        t_torch, t_tc = json.loads(out.decode())
        torch_s.append(t_torch)
        tc_s.append(t_tc)
        ratios.append((t_torch + t_tc) / t_torch)
        base.append(wall(BASE))
        with_tc.append(wall(WITH))
    import torch

    print("torch %s, Python %s, %d runs each" % (torch.__version__, sys.version.split()[0], args.runs))
    print(
        "in-process: import torch median %.3f s; import torchcompat + first use median %.4f s"
        % (statistics.median(torch_s), statistics.median(tc_s))
    )
    print("in-process ratio (torch + torchcompat) / torch: median %.3f (target <= 1.05)" % statistics.median(ratios))
    b, w = statistics.median(base), statistics.median(with_tc)
    print(
        "whole process: python -c 'import torch' median %.3f s, with torchcompat median %.3f s, ratio %.3f"
        % (b, w, w / b)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
