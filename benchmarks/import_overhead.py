"""Import overhead: (import torch + torchcompat) / (import torch), measured in one run.

Each sample is a fresh interpreter; samples of the two commands alternate so machine noise hits
both alike; the ratio is taken between the medians. Target: <= 1.05.

    python benchmarks/import_overhead.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

BASE = "import torch"
WITH = "import torch, torchcompat as tc; tc.no_grad; tc.item"


def sample(code: str) -> float:
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
    sample(BASE)
    sample(WITH)  # warm the file cache
    base, with_tc = [], []
    for _ in range(args.runs):
        base.append(sample(BASE))
        with_tc.append(sample(WITH))
    b, w = statistics.median(base), statistics.median(with_tc)
    import torch

    print("torch %s, Python %s, %d runs each" % (torch.__version__, sys.version.split()[0], args.runs))
    print("import torch                      median %.3f s" % b)
    print("import torch + torchcompat (+use) median %.3f s" % w)
    print("ratio %.3f (target <= 1.05)" % (w / b))
    return 0


if __name__ == "__main__":
    sys.exit(main())
