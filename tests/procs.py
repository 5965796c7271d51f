"""``subprocess.run`` for tests whose child runs torch: a child that times out is run once more.

Why: torch 1.7 and 1.8 can deadlock at process exit in ``torch::autograd::Engine::~Engine()`` when a backward
ran shortly before (the init/shutdown race of pytorch/pytorch#39194). Measured here on torch 1.7.1: a
finished script (it had printed its result) hung in 1 to 5 of 80 runs with 16 in parallel; gdb showed the main
thread in ``~Engine`` under ``exit()``. It is torch's defect, not the code under test, so a second run decides;
a child that hangs twice is a real hang and the test fails with ``TimeoutExpired``.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any


def run(cmd: Any, *, timeout: float = 300, **kwargs: Any) -> subprocess.CompletedProcess:
    """``subprocess.run(cmd, timeout=timeout, **kwargs)``, run again once if the first try timed out."""
    try:
        return subprocess.run(cmd, timeout=timeout, **kwargs)
    except subprocess.TimeoutExpired as first:
        sys.stderr.write("tests/procs.py: %r timed out after %ss; running it once more\n" % (cmd, first.timeout))
        return subprocess.run(cmd, timeout=timeout, **kwargs)
