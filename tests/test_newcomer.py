"""The first five minutes: the README's commands, what the examples need, and the PyPI namesake."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys

import pytest

from tests import procs
from torchcompat import _namesake

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _readme_command(n):
    out = subprocess.check_output([sys.executable, os.path.join(ROOT, ".ci", "readme-command"), str(n)], cwd=ROOT)
    return out.decode().strip()


def _extras():
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        return tomllib.load(f)["project"]


def test_readme_first_command_installs_the_examples_extra_and_runs_an_included_example():
    first = _readme_command(1)
    assert "'.[examples]'" in first, first
    script = re.search(r"torchcompat run (\S+\.py)", first).group(1)
    assert os.path.isfile(os.path.join(ROOT, script)), script
    assert "python -m pytest" in _readme_command(2)


def test_ci_runs_the_readme_commands_not_copies_of_them():
    with open(os.path.join(ROOT, ".ci", "run")) as f:
        ci = f.read()
    assert "readme-command 2" in ci and "bash .ci/newcomer" in ci
    with open(os.path.join(ROOT, ".ci", "newcomer")) as f:
        assert "readme-command 1" in f.read()


def test_examples_extra_declares_every_third_party_import_of_the_examples():
    project = _extras()
    declared = {
        re.split(r"[<>=!~\[ ;]", req, maxsplit=1)[0].lower() for req in project["optional-dependencies"]["examples"]
    }
    stdlib = set(sys.stdlib_module_names)
    folder = os.path.join(ROOT, "examples")
    seen = set()
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".py"):
            continue
        with open(os.path.join(folder, name)) as f:
            tree = ast.parse(f.read())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                seen.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                seen.add(node.module.split(".")[0])
    third_party = {m for m in seen if m not in stdlib and m != "__future__" and m != "torchcompat"}
    assert {"numpy", "torch"} <= third_party  # the examples do use them: the check below means something
    assert third_party <= declared, "examples import %s, the extra declares %s" % (third_party, declared)


def test_distribution_name_is_not_the_unrelated_pypi_torchcompat():
    project = _extras()
    assert project["name"] == _namesake.DISTRIBUTION != "torchcompat"
    assert project["scripts"]["torchcompat"] == "torchcompat.cli:main"  # the command and import name stay


def _fake_namesake(root):
    """The other project's wheel layout: a namespace package torchcompat/ with core/ and plugins/."""
    for sub in ("core", "plugins"):
        os.makedirs(os.path.join(root, "torchcompat", sub))
        with open(os.path.join(root, "torchcompat", sub, "__init__.py"), "w") as f:
            f.write("")
    return os.path.join(root, "torchcompat")


def test_namesake_found_beside_us_on_sys_path(tmp_path):
    folder = _fake_namesake(str(tmp_path))
    own = os.path.dirname(_namesake.__file__)
    assert _namesake.find_namesake(paths=[], own_dir=own) is None  # our own package has no core/
    assert _namesake.find_namesake(paths=["", str(tmp_path / "nothing")], own_dir=own) is None
    assert _namesake.find_namesake(paths=[str(tmp_path)], own_dir=own) == os.path.abspath(folder)


def test_namesake_merged_into_our_folder(tmp_path):
    folder = _fake_namesake(str(tmp_path))  # both installed into one site-packages/torchcompat
    assert _namesake.find_namesake(paths=[], own_dir=folder) == os.path.abspath(folder)


def test_namesake_odd_sys_path_entries_do_not_raise(tmp_path):
    own = os.path.dirname(_namesake.__file__)
    assert _namesake.find_namesake(paths=[None, b"/bytes", "\x00bad", 3], own_dir=own) is None


def test_import_warns_in_one_sentence_with_the_fix(tmp_path):
    _fake_namesake(str(tmp_path))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([ROOT, str(tmp_path)])
    code = "import torchcompat, warnings; print('imported', torchcompat.__file__)"
    proc = procs.run([sys.executable, "-W", "default", "-c", code], env=env, capture_output=True)
    err = proc.stderr.decode()
    assert proc.returncode == 0, err
    assert os.path.join(ROOT, "torchcompat") in proc.stdout.decode()  # ours still imports
    assert "RuntimeWarning" in err and "pip uninstall torchcompat" in err and _namesake.DISTRIBUTION in err
    assert str(tmp_path) in err
    clean = dict(os.environ, PYTHONPATH=ROOT)
    proc = procs.run([sys.executable, "-W", "default", "-c", code], env=clean, stderr=subprocess.PIPE)
    assert b"unrelated package" not in proc.stderr
