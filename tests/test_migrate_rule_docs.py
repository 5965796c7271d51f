"""Rule pages like a linter's: what a rule does, why, an example and its fix safety; ``torchcompat rules CODE``
prints one, ``--format json`` gives the facts, and the checked-in docs/rules.md must not be stale."""

from __future__ import annotations

import json
import os
import sys

import pytest

from tests import procs

pytestmark = pytest.mark.skipif(sys.version_info < (3, 8), reason="the migration tool needs Python >= 3.8")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _tc(*args):
    proc = procs.run([sys.executable, "-m", "torchcompat"] + list(args), capture_output=True)
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")


def test_docs_rules_md_is_fresh():
    from torchcompat.migrate import ruledocs

    with open(os.path.join(ROOT, "docs", "rules.md"), encoding="utf-8") as handle:
        current = handle.read()
    assert current == ruledocs.render(), (
        "docs/rules.md is stale: run python -m torchcompat.migrate.ruledocs --write docs/rules.md"
    )


def test_every_rule_page_has_what_why_example_and_fix_safety():
    from torchcompat.migrate import ruledocs

    for r in ruledocs._rules():
        page = ruledocs.page(r)
        for part in ("**What it does.**", "**Why.**", "**Example.**", "**Fix safety.**"):
            assert part in page, (r.code, part)
        before, _after = ruledocs.example(r)
        assert before, r.code
        assert r.record.id in ruledocs.why(r)
        safety = ruledocs.fix_safety(r)
        assert safety.startswith("No fix" if not r.fixable else ("Safe" if r.safe else "Unsafe")), r.code
        if r.fixable:
            assert "%s %s" % (r.library, r.min_version) in safety, r.code  # torchvision 0.13 for TC960


def test_rules_code_prints_the_page():
    rc, out, _ = _tc("rules", "TC422")
    assert rc == 0
    assert out.startswith("# TC422 (lu)") and "**Fix safety.** Safe" in out and "`la-lu`" in out
    rc, out, err = _tc("rules", "TC999")
    assert rc == 2 and "TC999" in err


def test_rules_json_gives_record_emits_version_kind_and_safety():
    from torchcompat.registry import REGISTRY

    rc, out, _ = _tc("rules", "--format", "json")
    assert rc == 0
    rules = {r["code"]: r for r in json.loads(out)}
    assert len(rules) >= 100
    for code, r in rules.items():
        assert set(r) >= {"record", "emits", "min_version", "kind", "safe", "default"}, code
        assert REGISTRY.get(r["record"]).id == r["record"]
        for emitted in r["emits"]:
            assert REGISTRY.get(emitted).id == emitted
        assert r["kind"] == REGISTRY.get(r["record"]).kind
    assert rules["TC401"]["emits"] == ["la-lstsq"] and rules["TC401"]["record"] == "la-lapack-names"
    assert rules["TC401"]["min_version"] == REGISTRY.get("la-lstsq").added
    rc, out, _ = _tc("rules", "TC401", "--format", "json")
    page = json.loads(out)[0]
    assert page["code"] == "TC401" and page["example"]["before"] and page["fix_safety"].startswith("Unsafe")
