"""The shared legacy examples (../shared/legacy-examples) after ``torchcompat migrate``.

* ``--target-version 2.13`` with the era the example's docstring states (``--source-version``, as a user who knows
  it would pass; inferred where none is stated): the migrated script runs on plain torch (an import blocker proves
  torchcompat is not used) and prints a ``RESULT`` within the README's tolerance;
* ``--portable``: it runs on this torch and on torch 1.0.1 (venv ``t1.0``, tests/places.py);
* ``torchcompat check`` on each original names the cause of the failure plain torch 2.13 hits.

Slow (each script trains a small model): run with ``-k legacy_examples``.
"""

from __future__ import annotations

import os
import re
import shutil
import sys

import pytest

from tests import places, procs
from tests.migrate_helpers import BLOCKER, LEGACY_CAUSES

pytestmark = [
    pytest.mark.skipif(sys.version_info < (3, 8), reason="the migration tool needs Python >= 3.8"),
    pytest.mark.slow,
]

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(os.path.dirname(ROOT), "shared", "legacy-examples")
OLD_PYTHON = places.T10_PYTHON
SCRIPTS = sorted(f for f in os.listdir(EXAMPLES) if re.match(r"v\d+_.*\.py$", f)) if os.path.isdir(EXAMPLES) else []

#: (script, mode) pairs known not to work yet, with the reason (reported, not hidden)
KNOWN_GAPS: dict = {}


def _reference(script: str) -> float:
    with open(os.path.join(EXAMPLES, "README.md"), encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("| `%s`" % script):
                return float(line.split("|")[2])
    raise LookupError(script)


def _within_tolerance(script: str, value: float) -> bool:
    ref = _reference(script)
    if ref <= 1.0 and ("accuracy" in script or script.startswith(("v02", "v03", "v04", "v06", "v07", "v12"))):
        return abs(value - ref) <= 0.05  # accuracies
    return ref / 3.0 <= value <= ref * 3.0  # losses: within a factor of 3


def _stated_era(script: str) -> list:
    """``--source-version X.Y`` where the example's docstring states its era ("(PyTorch 1.0 era)"), as a user who
    knows it would pass; none where it does not, so the era is inferred (v01, v09)."""
    with open(os.path.join(EXAMPLES, script), encoding="utf-8") as handle:
        found = re.search(r"PyTorch (\d+\.\d+) era", handle.read(2000))
    return ["--source-version", found.group(1)] if found else []


def _migrate(tmp_path, script: str, *flags: str) -> str:
    dest = os.path.join(str(tmp_path), script)
    shutil.copyfile(os.path.join(EXAMPLES, script), dest)  # our writable copy (shared/ is read-only)
    proc = procs.run(
        [sys.executable, "-m", "torchcompat", "migrate", "--write", "-q", *flags, dest],
        capture_output=True,
        cwd=str(tmp_path),
    )
    assert proc.returncode in (0, 1), proc.stderr.decode()
    return dest


def _result(python: str, path: str, block: bool) -> float:
    cmd = [python, "-W", "ignore"] + (["-c", BLOCKER, path] if block else [path])
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    proc = procs.run(cmd, capture_output=True, cwd=os.path.dirname(path), env=env, timeout=900)
    out = proc.stdout.decode()
    assert proc.returncode == 0, "%s on %s:\n%s" % (path, python, proc.stderr.decode()[-3000:])
    found = re.findall(r"^RESULT \S+ (\S+)$", out, re.M)
    assert found, out[-2000:]
    return float(found[-1])


def _gap(script: str, mode: str) -> None:
    if (script, mode) in KNOWN_GAPS:
        pytest.xfail(KNOWN_GAPS[(script, mode)])


@pytest.mark.parametrize("script", SCRIPTS)
def test_target_2_13_runs_on_plain_torch(tmp_path, script):
    _gap(script, "target")
    path = _migrate(tmp_path, script, "--target-version", "2.13", *_stated_era(script))
    with open(path, encoding="utf-8") as handle:
        assert "torchcompat" not in handle.read()
    value = _result(sys.executable, path, block=True)
    assert _within_tolerance(script, value), (script, value, _reference(script))


@pytest.mark.parametrize("script", SCRIPTS)
def test_portable_runs_on_this_torch_and_1_0(tmp_path, script):
    _gap(script, "portable")
    path = _migrate(tmp_path, script, "--portable", *_stated_era(script))
    value = _result(sys.executable, path, block=False)
    assert _within_tolerance(script, value), (script, value)
    if not os.path.exists(OLD_PYTHON):
        pytest.skip("no torch 1.0.1 venv at %s" % OLD_PYTHON)
    old = _result(OLD_PYTHON, path, block=False)
    assert _within_tolerance(script, old), (script, old)


@pytest.mark.parametrize("script", sorted(LEGACY_CAUSES))
def test_check_names_the_cause_of_each_2_13_failure(script):
    if script not in SCRIPTS:
        pytest.skip("example not present")
    proc = procs.run(
        [sys.executable, "-m", "torchcompat", "check", "-q", "--format", "json", os.path.join(EXAMPLES, script)],
        capture_output=True,
    )
    assert proc.returncode == 1
    codes = set(re.findall(r'"code":\s*"(TC\d+)"', proc.stdout.decode()))
    missing = LEGACY_CAUSES[script] - codes
    assert not missing, "check does not name %s for %s" % (sorted(missing), script)


def test_examples_present_or_skipped():
    if not SCRIPTS:
        pytest.skip("../shared/legacy-examples is absent")
    assert len(SCRIPTS) >= 12
