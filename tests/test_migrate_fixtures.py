"""Input/expected fixture pairs for every migration rule (tests/migrate_fixtures/<CODE>_<name>/).

Each folder: ``input.py``; ``expected.py`` (``--target-version 2.13``, or the ``target`` of an
``options.json``); optional ``expected_portable.py`` (``--portable``; defaults to ``expected.py``). ``options.json`` may also
``select`` rules (the opt-in ones need it).
"""

from __future__ import annotations

import ast
import json
import os
import re
import sys

import pytest

pytestmark = pytest.mark.skipif(sys.version_info < (3, 8), reason="the migration tool needs Python >= 3.8")

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "migrate_fixtures")
FIXTURES = sorted(d for d in os.listdir(HERE) if os.path.isdir(os.path.join(HERE, d))) if os.path.isdir(HERE) else []


def _read(folder: str, name: str) -> str:
    with open(os.path.join(HERE, folder, name), encoding="utf-8", newline="") as handle:
        return handle.read()


def _options(folder: str, portable: bool, fix: bool = True):
    from torchcompat.migrate.engine import Options

    extra = {}
    path = os.path.join(HERE, folder, "options.json")
    if os.path.exists(path):
        with open(path) as handle:
            extra = json.load(handle)
    select = tuple(extra.get("select", ()))  # opt-in rules name themselves here
    if portable:
        return Options(portable=True, fix=fix, select=select)
    return Options(target=extra.get("target", "2.13"), fix=fix, select=select)


def _expected(folder: str, portable: bool) -> str:
    if portable and os.path.exists(os.path.join(HERE, folder, "expected_portable.py")):
        return _read(folder, "expected_portable.py")
    return _read(folder, "expected.py")


def _code(folder: str):
    head = folder.split("_", 1)[0]
    return head if head.startswith("TC") else None


def test_every_rule_has_a_fixture():
    from torchcompat.migrate import rules  # noqa: F401
    from torchcompat.migrate.engine import RULES

    covered = {_code(f) for f in FIXTURES}
    missing = sorted(set(RULES) - covered)
    assert not missing, "rules without a fixture folder: %s" % missing


@pytest.mark.parametrize("portable", [False, True], ids=["target", "portable"])
@pytest.mark.parametrize("folder", FIXTURES)
def test_fixture(folder, portable):
    from torchcompat.migrate.engine import process_text

    result = process_text(_read(folder, "input.py"), _options(folder, portable))
    assert result.error is None
    assert result.text == _expected(folder, portable)


@pytest.mark.parametrize("portable", [False, True], ids=["target", "portable"])
@pytest.mark.parametrize("folder", FIXTURES)
def test_fixture_idempotent(folder, portable):
    from torchcompat.migrate.engine import process_text

    expected = _expected(folder, portable)
    again = process_text(expected, _options(folder, portable))
    assert again.error is None
    assert again.text == expected
    assert not again.changed
    assert not any(f.fixable for f in again.findings)


@pytest.mark.parametrize("folder", FIXTURES)
def test_check_reports_the_rule(folder):
    from torchcompat.migrate.engine import process_text

    result = process_text(_read(folder, "input.py"), _options(folder, False, fix=False))
    codes = {f.code for f in result.findings}
    code = _code(folder)
    if code is None:
        assert not codes, "a no-op fixture must give no findings"
    else:
        assert code in codes
        assert result.text == _read(folder, "input.py")  # check never edits


@pytest.mark.parametrize("folder", FIXTURES)
def test_expected_files_parse_and_target_output_needs_no_torchcompat(folder):
    target = _expected(folder, False)
    ast.parse(target)
    ast.parse(_expected(folder, True))
    # the `# torchcompat: source-version X.Y` header of a meaning rule's fixture is a comment, not an import
    assert "torchcompat" not in re.sub(r"(?m)^# torchcompat: source-version .*$", "", target)
