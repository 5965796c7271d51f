"""Optimizer and LR-scheduler shifts.

Records generated from the shift catalogue; adapters, probes and notes are added beside them."""

from __future__ import annotations

from typing import Any

from torchcompat.probe import MISSING
from torchcompat.registry import Resolution, declare, native, unavailable

shift = declare("optim")

OPTIM_SCHED_ORDER = shift(
    "optim-sched-order",
    "scheduler.step() before optimizer.step() shifts the schedule (1.1)",
    old="`scheduler.step()` at the start of the epoch, before `optimizer.step()`",
    new="call `optimizer.step()` first",
    added="1.1",
    deprecated="1.1",
    strategy="warn-only",
    notes='deprecated: 1.1 (UserWarning "Detected call of `lr_scheduler.step()` before `optimizer.step()`"). Silent change: YES: the first LR value is skipped / the schedule shifts by one. How common: H (11/12)',
    kind="meaning",
)

OPTIM_SCHED_EPOCH_ARG = shift(
    "optim-sched-epoch-arg",
    "scheduler.step(epoch), get_lr() → scheduler.step(), get_last_lr()",
    old="`scheduler.step(epoch)`; `scheduler.get_lr()` to read the LR",
    new="`scheduler.step()`; `scheduler.get_last_lr()`",
    added="1.4",
    deprecated="1.4",
    strategy="codemod",
    verified=False,
    notes="deprecated: 1.4 (UserWarning). Silent change: YES: `get_lr()` called outside `step()` returns the chainable-form value, not the current LR. How common: ns (M)",
    kind="spelling",
)

OPTIM_LRSCHEDULER_BASE = shift(
    "optim-lrscheduler-base",
    "from torch.optim.lr_scheduler import _LRScheduler → LRScheduler",
    old="`from torch.optim.lr_scheduler import _LRScheduler` (subclassing)",
    new="`LRScheduler`",
    added="2.0",
    strategy="alias",
    probe="optim.lr_scheduler.LRScheduler",
    notes="deprecated: — (alias kept). How common: ns (M)",
    kind="spelling",
)
OPTIM_LRSCHEDULER_BASE.moved(
    "torch.optim.lr_scheduler._LRScheduler",
    "torch.optim.lr_scheduler.LRScheduler",
    code="TC872",
    adapter="optim.lr_scheduler.LRScheduler",
    alias=False,
)

OPTIM_PLATEAU_VERBOSE = shift(
    "optim-plateau-verbose",
    "ReduceLROnPlateau(verbose=True) deprecated → read get_last_lr()",
    old="`ReduceLROnPlateau(..., verbose=True)` (and `verbose` on other schedulers)",
    new="drop `verbose`; log `get_last_lr()`",
    deprecated="2.2",
    strategy="codemod",
    verified=False,
    notes="How common: ns (L)",
    kind="spelling",
)

OPTIM_PRIVATE_HOOK = shift(
    "optim-private-hook",
    "_cuda_graph_capture_health_check → _accelerator_graph_capture_health_check",
    old="custom Optimizer subclasses relying on the private `_cuda_graph_capture_health_check`",
    new="`_accelerator_graph_capture_health_check`",
    added="2.11",
    removed="2.11",
    strategy="alias",
    notes="removed: 2.11 (renamed). How common: L (1)",
    kind="spelling",
)


@OPTIM_LRSCHEDULER_BASE.adapter("optim.lr_scheduler.LRScheduler")
def _lr_scheduler_base(env: Any) -> Resolution:
    for path in ("optim.lr_scheduler.LRScheduler", "optim.lr_scheduler._LRScheduler"):
        cls = env.get(path)
        if cls is not MISSING:
            return native(cls, "torch.%s" % path)
    return unavailable("0.4", "torch.optim.lr_scheduler has no scheduler base class")
