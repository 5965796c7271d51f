"""Opt-in rules (TC366, TC611: only with ``--select``), rules serving two shifts, and the findings of
the report-only rules TC309 and TC891 (counts and non-findings, which the fixture pairs do not pin)."""

from __future__ import annotations

import sys

import pytest

pytestmark = pytest.mark.skipif(sys.version_info < (3, 8), reason="the migration tool needs Python >= 3.8")


def _codes(source: str, **options):
    from torchcompat.migrate.engine import Options, process_text

    result = process_text(source, Options(**options))
    assert result.error is None
    return [(f.code, f.line) for f in result.findings]


SAVE_LOAD = (
    "import torch\ntorch.save(m.state_dict(), 'a.pth')\nm.load_state_dict(torch.load('a.pth', weights_only=True))\n"
)


def test_opt_in_rules_are_off_by_default_and_by_prefix():
    assert _codes(SAVE_LOAD) == []
    assert _codes(SAVE_LOAD, select=("TC6", "TC3")) == []  # a prefix does not opt in
    assert _codes(SAVE_LOAD, select=("TC611",)) == [("TC611", 2)]
    assert _codes(SAVE_LOAD, select=("TC366", "TC611")) == [("TC611", 2), ("TC366", 3)]


def test_opt_in_rule_listed_as_such(capsys):
    from torchcompat.cli import main

    assert main(["rules", "--select", "TC611"]) == 0
    assert "opt-in: --select TC611" in capsys.readouterr().out


def test_load_state_dict_rule_fixes_only_under_portable():
    from torchcompat.migrate.engine import Options, process_text

    # declared older than 0.4.1 (num_batches_tracked): the meaning rule TC366 may then rewrite
    plain = process_text(SAVE_LOAD, Options(select=("TC366",), fix=True, source="0.4"))
    assert plain.text == SAVE_LOAD and [f.fixable for f in plain.findings] == [False]
    portable = process_text(SAVE_LOAD, Options(select=("TC366",), fix=True, portable=True, source="0.4"))
    assert "tc.load_state_dict(m, torch.load('a.pth', weights_only=True))" in portable.text


def test_rules_serving_two_shifts_are_faces_of_both():
    from torchcompat.migrate import rules  # noqa: F401
    from torchcompat.migrate.engine import RULES
    from torchcompat.registry import REGISTRY

    for code, shifts in [
        ("TC901", ("six-module", "six-container-abcs")),
        ("TC221", ("t-int-true-division", "t-int-div-as-index")),
    ]:
        rule = RULES[code]
        assert (rule.shift,) + rule.also == shifts
        for key in shifts:
            assert rule in REGISTRY.get(key).faces["rule"]


@pytest.mark.parametrize(
    "line, fires",
    [
        ("nn.Upsample(scale_factor=2, mode='bilinear')", True),
        ("nn.Upsample(size=(4, 4), mode='bicubic')", True),
        ("nn.Upsample(None, 2, 'linear')", True),
        ("nn.Upsample(scale_factor=2, mode='bilinear', align_corners=False)", False),
        ("nn.Upsample(scale_factor=2, mode='nearest')", False),
        ("nn.Upsample(scale_factor=2)", False),
        ("nn.Upsample(scale_factor=2, mode=m)", False),  # unknown mode: no claim
    ],
)
def test_upsample_align_corners(line, fires):
    found = _codes("import torch.nn as nn\nup = %s\n" % line)
    assert found == ([("TC309", 2)] if fires else [])


def test_cpp_extension_findings():
    source = (
        "import torch.utils.ffi\n"
        "from torch.utils import ffi\n"
        "from torch.utils.cpp_extension import load_inline\n"
        "load_inline('m', 'int f(at::Tensor x) { return x.type().is_cuda(); }')\n"
        "load_inline('n', cpp_sources='at::Tensor g(at::Tensor x) { return x; }')\n"
    )
    assert _codes(source) == [("TC891", 1), ("TC891", 2), ("TC891", 4)]
