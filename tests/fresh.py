"""Facts only a fresh interpreter can show: what the very first ``import torchcompat...`` does, whether
``tc.accelerator()`` initialises CUDA, whether the registry's probes import ``torch.fft``.

One subprocess gathers them all, once per test run (each ``import torch`` costs 2-4 s on 2.x), in an order
where no check can hide another's failure: the namespace import comes first, then the fft checks (nothing
before them touches ``torch.fft``), then the device. Each check records its error instead of stopping the
others; the tests in test_registry, test_fft and test_device assert on their own facts.
"""

from __future__ import annotations

import functools
import json
import sys
from typing import Any, Dict

from tests import procs

SCRIPT = r"""
import json, traceback
facts = {}

def check(name, fn):
    try:
        facts[name] = fn()
    except Exception:
        facts[name] = {"error": traceback.format_exc()}

def first_import():
    import torchcompat.nn.functional as F  # the first import of the process: no torch, no torchcompat yet
    import torch
    return F.relu is torch.nn.functional.relu

check("first_import", first_import)

def fft_probes():
    import torch
    before = type(torch.fft).__name__  # torchcompat is imported: the legacy function must still be there
    from torchcompat.registry import REGISTRY, Binding
    from torchcompat.probe import env
    e = env(torch)
    natives = [REGISTRY.get(i).is_native(e) for i in ("fft-legacy-functions", "fft-module-shadow")]
    b = Binding(torch)
    [b.resolve("fft.%s_legacy" % n) for n in ("fft", "ifft", "rfft", "irfft")]
    return {"before": before, "after": type(torch.fft).__name__, "natives": natives}

check("fft_probes", fft_probes)

def device():
    import torch, torchcompat as tc
    d = tc.accelerator()
    cuda = torch.cuda
    init = cuda.is_initialized() if hasattr(cuda, "is_initialized") else bool(getattr(cuda, "_initialized", False))
    return {"type": d.type, "cuda_initialized": bool(init)}

check("device", device)
print("FACTS " + json.dumps(facts))
"""


@functools.lru_cache(maxsize=None)
def _all() -> Dict[str, Any]:
    proc = procs.run([sys.executable, "-c", SCRIPT], capture_output=True, timeout=300)
    out = proc.stdout.decode()
    lines = [line for line in out.splitlines() if line.startswith("FACTS ")]
    if proc.returncode != 0 or not lines:
        raise AssertionError("the fresh interpreter failed (exit %d):\n%s" % (proc.returncode, proc.stderr.decode()))
    return json.loads(lines[-1][len("FACTS ") :])


def fact(name: str) -> Any:
    """The fresh interpreter's finding ``name``; its traceback as the failure where the check raised."""
    value = _all()[name]
    if isinstance(value, dict) and set(value) == {"error"}:
        raise AssertionError("in the fresh interpreter, %s raised:\n%s" % (name, value["error"]))
    return value
