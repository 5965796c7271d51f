"""The compatibility table is generated from the registry; the checked-in copy must not be stale."""

from __future__ import annotations

import os

import pytest

from torchcompat import docs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.skipif(
    bool(os.environ.get("TORCHCOMPAT_MATRIX_SESSION")),
    reason="a matrix run rewrites docs/status/ session by session; the fast suite checks the table",
)
def test_checked_in_table_is_current():
    path = os.path.join(ROOT, "docs", "compatibility.md")
    with open(path, encoding="utf-8") as fh:
        current = fh.read()
    fresh = docs.render(docs.load_statuses(os.path.join(ROOT, "docs", "status")))
    assert current == fresh, "docs/compatibility.md is stale: run `nox -s docs`"


def test_ranges_compress_release_runs():
    per = [("1.0", "B"), ("1.1", "B"), ("1.8", "N"), ("2.0", "N")]
    assert docs._ranges(per) == "B 1.0–1.1 · N 1.8+"
    assert docs._ranges([("1.0", "U")]) == "U 1.0"
    assert docs._ranges([("1.0", None), ("1.1", "N")]) == "N 1.1"


def test_render_lists_every_shift():
    from torchcompat.registry import REGISTRY

    text = docs.render({})
    for shift in REGISTRY:
        assert "`%s`" % shift.id in text
