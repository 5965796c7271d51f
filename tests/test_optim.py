"""tc.optim.lr_scheduler.LRScheduler: the public scheduler base (2.0), _LRScheduler before it."""

from __future__ import annotations

import torch
import torch.optim.lr_scheduler as sched

import torchcompat as tc


def test_lr_scheduler_base_is_torchs_own():
    expected = getattr(sched, "LRScheduler", None) or sched._LRScheduler
    assert tc.optim.lr_scheduler.LRScheduler is expected
    assert tc.optim.lr_scheduler.StepLR is sched.StepLR  # the rest falls through to torch
    assert tc.optim.SGD is torch.optim.SGD


def test_subclassing_the_base_gives_a_working_scheduler():
    class Halve(tc.optim.lr_scheduler.LRScheduler):
        def get_lr(self):
            return [base * 0.5**self.last_epoch for base in self.base_lrs]

    def lrs(make):
        opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
        scheduler = make(opt)
        seen = []
        for _ in range(4):
            opt.step()
            scheduler.step()
            seen.append(opt.param_groups[0]["lr"])
        return seen

    ours = lrs(Halve)
    assert ours == lrs(lambda opt: sched.StepLR(opt, step_size=1, gamma=0.5))
    assert all(b == a * 0.5 for a, b in zip(ours, ours[1:]))
