"""A rule's facts come from its records: the minimum version is derived from the records its fix writes
(``emits=``), and must agree with the measured snapshots (docs/status/torch-X.Y.json); the ``tc.`` names a
``--portable`` fix writes must be adapters some record provides; messages are templates over the record."""

from __future__ import annotations

import glob
import json
import os
import re
import sys

import pytest

from tests.migrate_helpers import RULE_RECORDS

pytestmark = pytest.mark.skipif(sys.version_info < (3, 8), reason="the migration tool needs Python >= 3.8")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "migrate_fixtures")
RULE_FILES = os.path.join(ROOT, "torchcompat", "migrate", "rules")


@pytest.mark.parametrize("code", sorted(RULE_RECORDS))
def test_rule_is_the_face_of_its_shift(code):
    from torchcompat.registry import REGISTRY

    rules = _rules()
    assert rules[code].shift == RULE_RECORDS[code]
    assert rules[code] in REGISTRY.get(RULE_RECORDS[code]).faces["rule"]


def test_every_rule_of_the_call_rewrite_ranges_is_a_registry_face():
    from torchcompat.registry import REGISTRY

    ranges = [(150, 199), (220, 299), (350, 399), (400, 799), (850, 899), (950, 999)]
    mine = [r for r in _rules().values() if any(lo <= int(r.code[2:]) <= hi for lo, hi in ranges)]
    assert len(mine) >= 50
    for r in mine:
        shift = REGISTRY.get(r.shift)
        assert shift.strategy.split()[0] in ("codemod", "legacy-restore", "alias", "warn-only"), r.code
        assert r.message and r.docs and r.min_version


def _rules():
    from torchcompat.migrate import rules  # noqa: F401
    from torchcompat.migrate.engine import RULES

    return RULES


def _v(text):
    from torchcompat._release import parse

    return parse(text, warn=False)


def _snapshots():
    out = []
    for path in glob.glob(os.path.join(ROOT, "docs", "status", "torch-*.json")):
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        release = ".".join(str(p) for p in data["torch_release"][:2])
        out.append((release, {s["id"]: s for s in data["shifts"]}))
    return sorted(out, key=lambda item: _v(item[0]))


def _first(snapshots, shift_id, adapter, statuses):
    """The first measured release where ``adapter`` of ``shift_id`` has one of ``statuses``, or None."""
    for release, shifts in snapshots:
        found = shifts.get(shift_id, {}).get("adapters", {}).get(adapter)
        if found is not None and found["status"] in statuses:
            return release
    return None


def _fixture_texts(code):
    for folder in sorted(glob.glob(os.path.join(FIXTURES, code + "_*"))):
        texts = {}
        for name in ("input.py", "expected.py", "expected_portable.py"):
            path = os.path.join(folder, name)
            if os.path.exists(path):
                with open(path, encoding="utf-8") as handle:
                    texts[name] = handle.read()
        yield os.path.basename(folder), texts


def _written(texts, prefix, name):
    """Dotted names ``<prefix>.X`` in output ``name`` that the input does not have (what the fix wrote)."""
    pattern = re.compile(r"(?<![\w.])%s\.([A-Za-z_][\w.]*)" % re.escape(prefix))
    before = set(pattern.findall(texts.get("input.py", "")))
    return set(pattern.findall(texts.get(name, texts.get("expected.py", "")))) - before


def _adapter_of(registry_names, dotted):
    """The longest adapter name that ``dotted`` (``linalg.solve`` or ``linalg.solve.foo``) starts with."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        if ".".join(parts[:i]) in registry_names:
            return ".".join(parts[:i])
    return None


def test_every_rule_declares_its_record_and_derives_its_version():
    from torchcompat.migrate.rule import derived_version
    from torchcompat.registry import Shift

    for code, r in _rules().items():
        assert isinstance(r.record, Shift) and r.record.id == r.shift, code
        assert r in r.record.faces["rule"], code
        assert r.min_version == derived_version(r.emits), code
        assert "{" not in r.message, "%s: an unfilled template field in %r" % (code, r.message)


def test_rule_sources_write_no_version_and_name_no_shift_by_hand():
    """``min_version=`` is gone from the rule files, and a rule refers to its record object, not an id."""
    for path in glob.glob(os.path.join(RULE_FILES, "*.py")):
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        assert not re.search(r"\bmin_version\s*=", text), path
        assert not re.search(r"\b(shift|record)\s*=\s*[\"']", text), path


def test_derived_version_agrees_with_the_measured_snapshots():
    """For every adapter of an emitted record that the plain fix writes as ``torch.<name>``: the rule's
    minimum version is no later than the first release where the snapshots show the adapter native (torch's
    own object), and no earlier than the first where it is available at all."""
    from torchcompat.registry import Shift

    snapshots = _snapshots()
    assert snapshots, "docs/status/ has no snapshots"
    oldest = snapshots[0][0]
    checked = []
    problems = []
    for code, r in sorted(_rules().items()):
        records = [e for e in r.emits if isinstance(e, Shift)]  # Moved rows: the registry checks its rows
        for _folder, texts in _fixture_texts(code):
            plain = _written(texts, "torch", "expected.py")
            for record in records:
                for name in sorted(plain & set(record.adapters)):
                    native = _first(snapshots, record.id, name, ("native",))
                    available = _first(snapshots, record.id, name, ("native", "backported"))
                    checked.append((code, name))
                    if native is not None and _v(r.min_version) > _v(native) and _v(native) > _v(oldest):
                        problems.append(
                            "%s writes torch.%s from %s, native from %s" % (code, name, r.min_version, native)
                        )
                    if available is not None and _v(available) > _v(r.min_version) and _v(available) > _v(oldest):
                        problems.append(
                            "%s writes torch.%s from %s, first there on %s" % (code, name, r.min_version, available)
                        )
    assert not problems, problems
    assert len(checked) >= 15, "too few rules measured: %s" % checked


def test_la_lu_drift_is_resolved_by_measurement():
    """TC422 writes torch.linalg.lu_factor, which the snapshots show native from 1.11."""
    rule = _rules()["TC422"]
    assert rule.min_version == "1.11" == _first(_snapshots(), "la-lu", "linalg.lu_factor", ("native",))


def test_portable_fixes_write_only_adapters_that_records_provide():
    from torchcompat.registry import REGISTRY

    names = set(REGISTRY.adapter_names())
    missing = []
    for code in sorted(_rules()):
        for folder, texts in _fixture_texts(code):
            for dotted in _written(texts, "tc", "expected_portable.py") | _written(texts, "tc", "expected.py"):
                if _adapter_of(names, dotted) is None and not REGISTRY.is_namespace(dotted):
                    missing.append("%s: tc.%s" % (folder, dotted))
    for move in REGISTRY.moves():
        if move.code and move.adapter and move.adapter not in names:
            missing.append("%s: tc.%s (Moved row)" % (move.code, move.adapter))
    assert not missing, missing


def test_rule_sources_write_only_adapters_that_records_provide():
    """Every ``ctx.tc("name")`` / ``linalg(ctx, "name")`` literal in a rule file names a registry adapter."""
    from torchcompat.registry import REGISTRY

    names = set(REGISTRY.adapter_names())
    bad = []
    for path in glob.glob(os.path.join(RULE_FILES, "*.py")):
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        for name in re.findall(r"ctx\.tc\(\s*\"([\w.]+)\"\s*\)", text):
            if _adapter_of(names, name) is None:
                bad.append("%s: tc.%s" % (os.path.basename(path), name))
        for name in re.findall(r"\blinalg\(ctx, \"(\w+)\"\)", text):
            if "linalg." + name not in names:
                bad.append("%s: tc.linalg.%s" % (os.path.basename(path), name))
    assert not bad, bad


def test_moves_are_generated_from_the_registry_rows():
    from torchcompat.registry import REGISTRY

    rules = _rules()
    rows = [m for m in REGISTRY.moves() if m.code]
    assert rows
    for move in rows:
        r = rules[move.code]
        assert r.record is move.shift and r.emits == (move,)
        assert r.min_version == move.added and r.safe == move.safe
        assert r.portable == ("adapter" if move.adapter else "plain")
