"""linalg rules (TC40x-TC42x): tuple results and names resolved through imports."""

from __future__ import annotations

import sys

import pytest

from tests.migrate_helpers import fix_text

pytestmark = pytest.mark.skipif(sys.version_info < (3, 8), reason="the migration tool needs Python >= 3.8")


def test_unclear_tuple_use_is_reported_not_fixed():
    src = "import torch\npair = torch.gels(b, A)\nprint(pair[1])\n"
    result = fix_text(src, target="2.13")
    assert not result.changed
    assert [f.code for f in result.findings] == ["TC401"]


def test_names_resolve_through_imports_not_text():
    src = "import torch as T\nfrom torch import gesv as solve_old\nx, _ = solve_old(B, A)\ny = T.ger(a, b)\n"
    result = fix_text(src, target="2.13")
    assert "x = T.linalg.solve(A, B)" in result.text and "T.outer(a, b)" in result.text
    local = "def ger(a, b):\n    return a\nimport torch\ny = ger(a, b)\n"
    assert not fix_text(local, target="2.13").findings
