"""Training-loop rules: DataLoader (TC882), LR schedulers (TC887), TF32 switches (TC710), torch.vmap (TC884),
the launcher's --local-rank (TC890)."""

from __future__ import annotations

import sys

import pytest

from tests.migrate_helpers import codes_of, migrate_text, run_text

pytestmark = pytest.mark.skipif(sys.version_info < (3, 8), reason="the migration tool needs Python >= 3.8")


def test_prefetch_without_workers_no_longer_raises():

    old = (
        "import torch\nfrom torch.utils.data import DataLoader, TensorDataset\n"
        "ds = TensorDataset(torch.arange(6))\ndl = DataLoader(ds, batch_size=2, prefetch_factor=2)\n"
        "out = [b[0].tolist() for b in dl]\n"
    )
    from torchcompat import version

    # not `torch.__version__ >= "2"`: torch 1.11's TorchVersion compares through pkg_resources
    if version.at_least("2.0"):
        with pytest.raises(ValueError):
            run_text(old)
    assert run_text(migrate_text(old).text)["out"] == [[0, 1], [2, 3], [4, 5]]
    assert "TC882" not in codes_of(old.replace("prefetch_factor=2", "num_workers=2, prefetch_factor=2"))


def test_scheduler_get_last_lr():
    old = (
        "import torch\nfrom torch.optim.lr_scheduler import StepLR\n"
        "w = torch.nn.Parameter(torch.ones(1))\nopt = torch.optim.SGD([w], lr=1.0)\n"
        "sched = StepLR(opt, step_size=1, gamma=0.5)\nopt.step()\nsched.step()\nlr = sched.get_lr()\n"
    )
    new = run_text(migrate_text(old).text)
    assert new["lr"] == [0.5]  # get_lr() outside step() gave the chainable 0.25


def test_tf32_assignment():
    import torch

    try:
        before = torch.backends.cuda.matmul.fp32_precision
    except (AttributeError, AssertionError):
        pytest.skip("needs torch >= 2.9")

    text = migrate_text("import torch\ntorch.backends.cuda.matmul.allow_tf32 = False\n").text
    assert "fp32_precision = 'ieee'" in text
    try:
        run_text(text)
        assert torch.backends.cuda.matmul.allow_tf32 is False
    finally:
        torch.backends.cuda.matmul.fp32_precision = before


def test_vmap_only_where_torch_vmap_differs():
    text = "import torch\nf = torch.vmap(torch.dot)\n"
    assert "TC884" not in codes_of(text, target="1.0")  # no torch.vmap at all: not this rule's business
    assert "TC884" not in codes_of(text, target="2.0")
    assert "TC884" in codes_of(text, target="1.10")
    assert "tc.vmap(" in migrate_text(text, portable=True).text


def test_local_rank_both_spellings():
    import argparse

    text = migrate_text(
        'import argparse\nimport torch\nparser = argparse.ArgumentParser()\nparser.add_argument("--local_rank", type=int)\n'
    ).text
    parser = run_text(text)["parser"]
    assert isinstance(parser, argparse.ArgumentParser)
    assert parser.parse_args(["--local-rank=3"]).local_rank == 3  # what launch passes from 2.0
    assert parser.parse_args(["--local_rank=2"]).local_rank == 2  # what it passed before
