"""tc.distributed.all_gather_into_tensor / reduce_scatter_tensor on a real 2-process gloo group (loopback)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
import torch

import torchcompat as tc
from torchcompat.shifts.distributed import make_all_gather_fallback, make_reduce_scatter_fallback

try:
    import torch.distributed as dist

    AVAILABLE = dist.is_available()
except ImportError:  # pragma: no cover - builds without distributed
    AVAILABLE = False

pytestmark = pytest.mark.skipif(not AVAILABLE, reason="this torch build has no torch.distributed")

WORLD = 2
TIMEOUT = 600  # generous: the group's start waits for both interpreters, slow on a loaded 2-core machine

WORKER = r"""
import datetime, sys, warnings
import torch
import torch.distributed as dist
import torchcompat as tc
from torchcompat.shifts.distributed import make_all_gather_fallback, make_reduce_scatter_fallback

rank, world, port = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
dist.init_process_group("gloo", init_method="tcp://127.0.0.1:" + port, rank=rank, world_size=world,
                        timeout=datetime.timedelta(seconds=60))
warnings.simplefilter("error", FutureWarning)
group = dist.new_group(ranks=list(range(world)))
impls = [
    ("adapter", tc.distributed.all_gather_into_tensor, tc.distributed.reduce_scatter_tensor),
    ("single-names", tc.distributed.all_gather_single, tc.distributed.reduce_scatter_single),
    ("fallback", make_all_gather_fallback(torch), make_reduce_scatter_fallback(torch)),
]

def check(got, expected, what):
    if not torch.equal(got, expected):
        raise AssertionError("%s on rank %d: %s != %s" % (what, rank, got.tolist(), expected.tolist()))

for label, gather, scatter in impls:
    inp = torch.arange(3, dtype=torch.float32) + 10 * rank
    parts = [torch.arange(3, dtype=torch.float32) + 10 * r for r in range(world)]
    out = torch.zeros(world * 3)
    gather(out, inp)
    check(out, torch.cat(parts), label + " gather (concat)")
    out = torch.zeros(world * 3)
    work = gather(out, inp, group=group, async_op=True)
    work.wait()
    check(out, torch.cat(parts), label + " gather (group, async)")
    if label == "fallback":  # NCCL also takes a stacked output; native gloo does not
        out = torch.zeros(world, 3)
        gather(out, inp)
        check(out, torch.stack(parts), label + " gather (stack)")

    block = 2
    full = torch.arange(world * block, dtype=torch.float32) * (rank + 1)
    kept = full.clone()
    out = torch.zeros(block)
    scatter(out, full)
    check(full, kept, label + " reduce_scatter leaves its input alone")
    total = torch.arange(world * block, dtype=torch.float32) * sum(r + 1 for r in range(world))
    check(out, total[rank * block:(rank + 1) * block], label + " reduce_scatter (sum)")
    out = torch.zeros(block)
    work = scatter(out, full, tc.distributed.ReduceOp.MAX, group, True)
    work.wait()
    check(out, (torch.arange(world * block, dtype=torch.float32) * world)[rank * block:(rank + 1) * block],
          label + " reduce_scatter (max, group, async, positional)")
    print("OK", label)
    sys.stdout.flush()
dist.barrier()
dist.destroy_process_group()  # else gloo's threads can abort the exit ("terminate called ...", seen on 1.10)
print("DONE")
sys.stdout.flush()
import os
os._exit(0)  # gloo's teardown can still abort at interpreter exit (2.1, loaded machine): the checks are done
"""


def _free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _run_group():
    port = str(_free_port())
    env = dict(os.environ, GLOO_SOCKET_IFNAME="lo", OMP_NUM_THREADS="1")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(rank), str(WORLD), port],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            universal_newlines=True,
            env=env,
        )
        for rank in range(WORLD)
    ]
    outputs = []
    try:
        for proc in procs:
            out, _ = proc.communicate(timeout=TIMEOUT)
            outputs.append((proc.returncode, out))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return outputs


def test_adapters_are_the_non_deprecated_native_names():
    gather, scatter = tc.distributed.all_gather_into_tensor, tc.distributed.reduce_scatter_tensor
    assert tc.distributed.all_gather_single is gather and tc.distributed.reduce_scatter_single is scatter
    if hasattr(dist, "all_gather_single"):  # 2.13: the 1.13 names raise FutureWarning
        assert gather is dist.all_gather_single and scatter is dist.reduce_scatter_single
    elif hasattr(dist, "all_gather_into_tensor") and tc.at_least("2.2"):
        assert gather is dist.all_gather_into_tensor
        if tc.at_least("2.9"):
            assert scatter is dist.reduce_scatter_tensor
        else:  # gloo's reduce_scatter_tensor overwrites its input on 2.2-2.8 (and has no async_op on 2.2)
            assert tc._bind().status("distributed.reduce_scatter_tensor") == "backported"
    else:
        assert tc._bind().status("distributed.all_gather_into_tensor") == "backported"


def test_reduce_op_is_torchs():
    assert tc.distributed.ReduceOp is dist.ReduceOp
    assert tc.distributed.ReduceOp.SUM == dist.ReduceOp.SUM


def test_collectives_on_a_two_process_gloo_group():
    outputs = _run_group()
    for rank, (code, out) in enumerate(outputs):
        assert code == 0, "rank %d failed:\n%s" % (rank, out)
        for line in ("OK adapter", "OK single-names", "OK fallback", "DONE"):
            assert line in out, out


def test_fallback_rejects_mismatched_shapes():
    import datetime

    if dist.is_initialized():
        pytest.skip("a process group is already initialised in this process")
    dist.init_process_group(
        "gloo",
        init_method="tcp://127.0.0.1:%d" % _free_port(),
        rank=0,
        world_size=1,
        timeout=datetime.timedelta(seconds=60),
    )
    try:
        gather, scatter = make_all_gather_fallback(torch), make_reduce_scatter_fallback(torch)
        with pytest.raises(ValueError, match="does not hold"):
            gather(torch.zeros(5), torch.ones(3))
        with pytest.raises(ValueError, match="blocks"):
            scatter(torch.zeros(2), torch.ones(3))
    finally:
        dist.destroy_process_group()
