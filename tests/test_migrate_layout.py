"""The migration tool's layout shows its design: one rule (or one small family) per file, named by what it
fixes like its fixture folder; helper modules by kind; no file named after a development wave; no big module."""

from __future__ import annotations

import ast
import glob
import os
import re
import sys

import pytest

pytestmark = pytest.mark.skipif(sys.version_info < (3, 8), reason="the migration tool needs Python >= 3.8")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MIGRATE = os.path.join(ROOT, "torchcompat", "migrate")
RULES = os.path.join(MIGRATE, "rules")
FIXTURES = os.path.join(ROOT, "tests", "migrate_fixtures")
WAVE = re.compile(r"[A-Za-z]_?[23]\.py$|misc|wave|^_helpers")


def _codes_in(path):
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    codes = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "rule" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant):
                codes.append(first.value)
    return codes


def test_no_file_is_named_after_a_wave():
    paths = glob.glob(os.path.join(MIGRATE, "**", "*.py"), recursive=True)
    paths += glob.glob(os.path.join(ROOT, "tests", "test_migrate*.py"))
    paths += glob.glob(os.path.join(FIXTURES, "*", ""))
    bad = [os.path.relpath(p, ROOT) for p in paths if WAVE.search(os.path.basename(p.rstrip(os.sep)) + ".py")]
    assert not bad, bad


def test_each_rule_file_is_named_after_its_first_code_and_fixture():
    for path in sorted(glob.glob(os.path.join(RULES, "tc*.py"))):
        name = os.path.basename(path)[:-3]
        code = name.split("_", 1)[0].upper()
        codes = _codes_in(path)
        if name == "tc860_moves":
            assert not codes, "the moves are generated from the registry's Moved rows"
            continue
        assert codes and codes[0] == code, (name, codes)
        assert len(codes) <= 8, "%s holds %d rules: one rule, or one small family, per file" % (name, len(codes))
        if len(codes) == 1:
            fixture = code + "_" + name.split("_", 1)[1]
            assert os.path.isdir(os.path.join(FIXTURES, fixture)), "rule file %s has no fixture %s" % (name, fixture)


def test_helpers_are_modules_by_kind_and_register_no_rule():
    helpers = sorted(os.path.basename(p) for p in glob.glob(os.path.join(RULES, "_*.py")) if "__init__" not in p)
    assert helpers == ["_edits.py", "_linalg.py", "_queries.py", "_trace.py"]
    for name in helpers:
        assert not _codes_in(os.path.join(RULES, name)), name


def test_rule_modules_import_no_other_rule_module():
    for path in glob.glob(os.path.join(RULES, "tc*.py")):
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        assert not re.search(r"from torchcompat\.migrate\.rules\.tc\d", text), path


def test_no_module_is_over_600_lines():
    """The engine is split by responsibility: engine.py the driver, context.py what a rule sees, edits.py
    applying edits, rule.py the registry."""
    sizes = {}
    for path in glob.glob(os.path.join(MIGRATE, "**", "*.py"), recursive=True):
        with open(path, encoding="utf-8") as handle:
            sizes[os.path.relpath(path, ROOT)] = sum(1 for _ in handle)
    big = {p: n for p, n in sizes.items() if n > 600}
    assert not big, big
