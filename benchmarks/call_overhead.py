"""Call overhead of every adapter on this torch, relative to the native call on the same small input.

Native adapters *are* torch's object, so their ratio is 1.00 by identity (checked, not timed). Each
wrapped (backported) adapter is timed against the plain-torch code it stands for, in one run: short
batches (~20 ms, sized per adapter) alternating between the two sides for many rounds, best batch of
each, so that a noisy neighbour slows both sides alike. Target: <= 1.10 for wrappers.

    python benchmarks/call_overhead.py [--rounds 41] [--batch-ms 20] [--only variable,load]
"""

from __future__ import annotations

import argparse
import sys
import timeit
from typing import Dict, Tuple

import torch

import torchcompat as tc
from torchcompat.registry import NATIVE, REGISTRY, UNAVAILABLE, Binding

SETUP = """
import torch, torchcompat as tc
x = torch.arange(8.0).reshape(2, 4)
xi = torch.arange(-8, 8)
s = torch.tensor(3.5)
m = torch.tensor([1, 0, 1, 0], dtype=torch.uint8).bool()
model = torch.nn.Linear(4, 2)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
a = torch.arange(3.0); b = torch.arange(4.0)
sig = torch.randn(64)
xr = torch.randn(4, 4, requires_grad=True)
def f(t):
    return (t * 2).sin()
import io
sd = model.state_dict()
buf = io.BytesIO(); torch.save(sd, buf); blob = buf.getvalue()
ds = torch.utils.data.TensorDataset(torch.arange(32.0))
"""

#: adapter -> (torchcompat call, the plain-torch code it replaces on this torch)
PAIRS: Dict[str, Tuple[str, str]] = {
    "item": ("tc.item(s)", "s.item()"),
    "to_numpy": ("tc.to_numpy(x)", "x.detach().cpu().numpy()"),
    # torch's own Variable(x), which 2.x still takes and answers with a detached tensor, as tc.variable does
    "variable": ("tc.variable(x)", "torch.autograd.Variable(x)"),
    "to": ("tc.to(x, dtype=torch.float64)", "x.to(dtype=torch.float64)"),
    "bool_mask": ("tc.bool_mask(m)", "m if m.dtype == torch.bool else m.bool()"),
    "zero_grad": ("tc.zero_grad(opt)", "opt.zero_grad(set_to_none=False)"),
    "div": ("tc.div(xi, 3, rounding_mode='floor')", "torch.div(xi, 3, rounding_mode='floor')"),
    "floor_divide": ("tc.floor_divide(xi, 3)", "torch.floor_divide(xi, 3)"),
    "meshgrid": ("tc.meshgrid(a, b, indexing='xy')", "torch.meshgrid(a, b, indexing='xy')"),
    "checkpoint": ("tc.checkpoint(f, xr)", "torch.utils.checkpoint.checkpoint(f, xr, use_reentrant=True)"),
    "fft.rfft_legacy": ("tc.fft.rfft_legacy(sig, 1)", "torch.view_as_real(torch.fft.rfft(sig))"),
    "fft.fft_legacy": (
        "tc.fft.fft_legacy(torch.view_as_real(torch.fft.fft(sig)), 1)",
        "torch.view_as_real(torch.fft.fft(torch.view_as_complex(torch.view_as_real(torch.fft.fft(sig)))))",
    ),
    "fft.ifft_legacy": (
        "tc.fft.ifft_legacy(torch.view_as_real(torch.fft.fft(sig)), 1)",
        "torch.view_as_real(torch.fft.ifft(torch.view_as_complex(torch.view_as_real(torch.fft.fft(sig)))))",
    ),
    "fft.irfft_legacy": (
        "tc.fft.irfft_legacy(torch.view_as_real(torch.fft.rfft(sig)), 1, signal_sizes=(64,))",
        "torch.fft.irfft(torch.view_as_complex(torch.view_as_real(torch.fft.rfft(sig))), n=64)",
    ),
    "load": ("tc.load(io.BytesIO(blob))", "torch.load(io.BytesIO(blob), weights_only=True)"),
    "save": ("tc.save(sd, io.BytesIO())", "torch.save(sd, io.BytesIO())"),
    "load_state_dict": ("tc.load_state_dict(model, sd)", "model.load_state_dict(sd)"),
    "DataLoader": (
        "list(tc.DataLoader(ds, batch_size=8))",
        "list(torch.utils.data.DataLoader(ds, batch_size=8))",
    ),
    "accelerator": (
        "tc.accelerator()",
        "torch.device(torch.accelerator.current_accelerator().type) if torch.accelerator.is_available() "
        "else torch.device('cpu')",
    ),
}


#: adapter -> other plain-torch code for the same result, timed and shown too (not in the worst ratio)
ALSO: Dict[str, str] = {"variable": "x.detach()"}


def _batch_size(timer: timeit.Timer, seconds: float) -> int:
    """How many calls make one batch of about ``seconds`` (after a warm-up call)."""
    timer.timeit(1)
    number = 1
    while True:
        took = timer.timeit(number)
        if took >= seconds / 4 or number >= 10**6:
            return max(1, int(number * seconds / max(took, 1e-9)))
        number *= 4


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=41, help="alternating batches per side")
    parser.add_argument("--batch-ms", type=float, default=20.0, help="the length of one batch")
    parser.add_argument("--only", metavar="NAME,...", help="time only these adapters (e.g. variable,load)")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    binding = Binding(torch)
    print("torch %s, Python %s" % (torch.__version__, sys.version.split()[0]))
    print("%-40s %-11s %10s %10s %7s" % ("adapter", "status", "tc ns", "torch ns", "ratio"))
    worst = 1.0
    for name in REGISTRY.adapter_names():
        if only is not None and name not in only:
            continue
        res = binding.resolution(name)
        if res.status == NATIVE:
            assert tc.__getattr__(name) is res.obj if "." not in name else True
            print("%-40s %-11s %10s %10s %7.2f" % (name, res.status, "-", "-", 1.0))
            continue
        if res.status == UNAVAILABLE:
            print("%-40s %-11s %10s %10s %7s" % (name, res.status, "-", "-", "n/a"))
            continue
        pair = PAIRS.get(name)
        if (
            not callable(res.obj)
            or name.startswith("six.")
            or (isinstance(res.obj, type) and issubclass(res.obj, BaseException))
        ):
            # Constants and Python-3 stand-ins of torch._six, exception classes: nothing to call.
            print("%-40s %-11s %10s %10s %7s" % (name, res.status, "-", "-", "value"))
            continue
        if pair is None:
            print("%-40s %-11s %10s %10s %7s" % (name, res.status, "-", "-", "untimed"))
            continue
        tc_timer, native_timer = timeit.Timer(pair[0], SETUP), timeit.Timer(pair[1], SETUP)
        number = _batch_size(native_timer, args.batch_ms / 1e3)
        timers = [tc_timer, native_timer] + ([timeit.Timer(ALSO[name], SETUP)] if name in ALSO else [])
        best = [1e9] * len(timers)
        for _ in range(args.rounds):  # alternate every batch, so drift and neighbours hit all sides alike
            for i, timer in enumerate(timers):
                best[i] = min(best[i], timer.timeit(number) / number)
        t_tc, t_native = best[0], best[1]
        ratio = t_tc / t_native
        worst = max(worst, ratio)
        print("%-40s %-11s %10.0f %10.0f %7.2f" % (name, res.status, t_tc * 1e9, t_native * 1e9, ratio))
        if name in ALSO:
            label = "  (vs %s)" % ALSO[name]
            print("%-40s %-11s %10s %10.0f %7.2f" % (label, "", "", best[2] * 1e9, t_tc / best[2]))
    print("worst wrapper ratio %.2f (target <= 1.10)" % worst)
    return 0


if __name__ == "__main__":
    sys.exit(main())
