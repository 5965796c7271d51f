"""Autograd rules (TC16x): rewrites keep the old values; plain tensors are left alone."""

from __future__ import annotations

import sys

import pytest

from tests.migrate_helpers import codes_of, migrate_text, run_text

pytestmark = pytest.mark.skipif(sys.version_info < (3, 8), reason="the migration tool needs Python >= 3.8")


def test_type_compare_is_now_true():
    old = (
        "import torch\nx = torch.zeros(2)\nold = type(x) == torch.FloatTensor\nold2 = type(x) is not torch.LongTensor\n"
    )
    new = run_text(migrate_text(old).text)
    ref = run_text(old)
    assert ref["old"] is False  # the bug: never true since 0.4
    assert new["old"] is True and new["old2"] is True


def test_numpy_requires_grad_now_works():
    old = "import torch\nw = torch.ones(3, requires_grad=True)\na = w.numpy()\n"
    with pytest.raises(RuntimeError):
        run_text(old)
    new = run_text(migrate_text(old).text)
    assert new["a"].tolist() == [1.0, 1.0, 1.0]


def test_numpy_on_plain_tensors_is_left_alone():
    assert "TC161" not in codes_of("import torch\nw = torch.ones(3)\na = w.numpy()\nb = torch.ones(2).numpy()\n")


@pytest.mark.torch_version(">=1.7")  # the rewrite's APIs (torch.fft, return_complex, set_to_none)
def test_zero_grad_keeps_zeros():
    old = (
        "import torch\n"
        "w = torch.nn.Parameter(torch.ones(2))\nopt = torch.optim.SGD([w], lr=0.1)\n"
        "w.sum().backward()\nopt.zero_grad()\nw.grad.data.add_(1)\nafter = w.grad.clone()\n"
    )
    new = run_text(migrate_text(old).text)
    assert new["after"].tolist() == [1.0, 1.0]
    portable = migrate_text(old, portable=True)
    assert "tc.zero_grad(opt, set_to_none=False)" in portable.text
    assert run_text(portable.text)["after"].tolist() == [1.0, 1.0]


def test_zero_grad_without_grad_reads_is_left_alone():
    assert "TC160" not in codes_of("def f(opt, loss):\n    opt.zero_grad()\n    loss.backward()\n    opt.step()\n")
