"""A whole 2017-style project under ``torchcompat run`` (examples/legacy_project: our own, several modules, a
whole model saved through a file object and loaded by the same run and by another, ``repackage_hidden`` with
``type(h) == Variable``, an embedding dropout through ``_backend.Embedding.apply``, ``loss.data[0]``,
``Variable(volatile=True)`` and a pytest suite of its own), on this torch and on torch 1.0.1."""

from __future__ import annotations

import os
import re
import shutil
import sys

import pytest

from tests import places, procs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROJECT = os.path.join(ROOT, "examples", "legacy_project")
pytestmark = pytest.mark.slow  # end-to-end runs of a whole project in fresh interpreters (`python -m pytest -m slow`)
OLD_PYTHON = places.T10_PYTHON  # torch 1.0.1 with torchcompat installed editable from this tree


def _copy(tmp_path):
    """The project in a fresh folder (its runs write model.pt, and nothing may be written into the repo)."""
    target = tmp_path / "legacy_project"
    shutil.copytree(PROJECT, str(target), ignore=shutil.ignore_patterns("__pycache__", "*.pt", ".pytest_cache"))
    return target


def _run(python, args, cwd, timeout=300):
    env = dict(os.environ, PYTHONWARNINGS="ignore", PYTHONDONTWRITEBYTECODE="1")
    env.pop("TORCHCOMPAT_TRUST_CHECKPOINTS", None)
    proc = procs.run(
        [python, "-m", "torchcompat", "run"] + args, cwd=str(cwd), capture_output=True, env=env, timeout=timeout
    )
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def _weights_only_default(python):
    """Does this python's torch load with weights_only=True by default (torch >= 2.6)?"""
    code = (
        "import torch, inspect\n"
        "from torchcompat.version import at_least\n"
        "print(int('weights_only' in inspect.signature(torch.load).parameters and at_least('2.6')))"
    )
    out = procs.run([python, "-c", code], capture_output=True, timeout=300).stdout.decode().strip()
    return out == "1"


PYTHONS = [
    pytest.param(sys.executable, id="this-torch"),
    pytest.param(
        OLD_PYTHON,
        id="torch-1.0.1",
        marks=pytest.mark.skipif(not os.path.exists(OLD_PYTHON), reason="no torch 1.0.1 venv at " + OLD_PYTHON),
    ),
]


@pytest.mark.parametrize("python", PYTHONS)
def test_project_trains_saves_and_loads_in_the_same_run(python, tmp_path):
    project = _copy(tmp_path)
    code, out, err = _run(python, ["--era", "0.3", "--explain", "main.py", "--epochs", "1"], project)
    assert code == 0, err[-3000:]
    result = re.findall(r"^RESULT legacy_project (\S+)$", out, re.M)
    assert result and 1.0 < float(result[0]) < 3.4, out  # below log(27 chars) = 3.3: it learned something
    assert re.search(r"^SAMPLE .{40}$", out, re.M), out  # generate.sample loaded the model main.py saved
    assert (project / "model.pt").exists()
    report = err[err.index("torchcompat run --explain") :].splitlines()
    # grouped by file: the entry script and the package's modules, each with its restores and their rules
    for where in ("main.py", os.path.join("lmproject", "utils.py")):
        assert where in report, report


@pytest.mark.parametrize("python", PYTHONS)
def test_project_test_suite_runs_under_dash_m_pytest(python, tmp_path):
    project = _copy(tmp_path)
    code, out, err = _run(python, ["--era", "0.3", "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider"], project)
    assert code == 0, (out + err)[-3000:]
    assert re.search(r"\b4 passed\b", out), out


@pytest.mark.parametrize("python", PYTHONS)
def test_a_model_saved_by_another_run_needs_the_trust_flag(python, tmp_path):
    project = _copy(tmp_path)
    code, out, err = _run(python, ["--era", "0.3", "main.py", "--epochs", "1"], project)
    assert code == 0, err[-3000:]
    code, out, err = _run(python, ["--era", "0.3", "generate.py"], project)
    if not _weights_only_default(python):
        assert code == 0 and re.search(r"^SAMPLE .{40}$", out, re.M), err[-3000:]  # torch.load unpickles anything
        return
    assert code == 1 and "UntrustedCheckpointError" in err
    assert "rerun as `torchcompat run --trust-checkpoints --era 0.3 generate.py`" in err, err[-2000:]
    code, out, err = _run(python, ["--era", "0.3", "--trust-checkpoints", "generate.py"], project)
    assert code == 0 and re.search(r"^SAMPLE .{40}$", out, re.M), err[-3000:]
