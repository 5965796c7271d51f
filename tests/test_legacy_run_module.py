"""``torchcompat run`` for projects: ``-m module`` as ``python -m`` runs it, the project scope of the restores
that change meaning (third-party code keeps torch's own behaviour), ``--explain`` by file, notebook-era scripts
with IPython magics, and the limits that are stated rather than restored."""

from __future__ import annotations

import ast
import functools
import inspect
import os
import sys
import textwrap
import types

import pytest
import torch

import torchcompat.legacy as legacy
from tests import procs
from torchcompat.legacy import engine
from torchcompat.legacy.face import WRAP, all_restores
from torchcompat.legacy.source import skip_magics
from torchcompat.registry import REGISTRY
from torchcompat.version import at_least

from .test_legacy_cli import _run, _run_here, _write, torch_indexes_0dim

needs_0dim_error = pytest.mark.skipif(torch_indexes_0dim(), reason="this torch indexes 0-dim tensors natively")


#: integer / divides truly (1.7+): a modern library's `/` works, 0.3 code needs the restore. (< 1.5 truncates
#: natively; 1.6 refuses integer / outright, which a modern library never relies on.)
needs_true_int_div = pytest.mark.skipif(not at_least("1.7"), reason="integer / is not true division before torch 1.7")


def _package(root, name, files):
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    for filename, body in files.items():
        (folder / filename).write_text(textwrap.dedent(body))
    return folder


# -- run -m ----------------------------------------------------------------------------------------------

MAIN = """\
    import os, sys
    import torch
    from . import helper
    print("argv0", os.path.basename(sys.argv[0]), "args", sys.argv[1:])
    print("path0", sys.path[0])
    print("name", __name__, "package", __package__)
    print("value", helper.total().data[0])
    sys.exit(int(sys.argv[1]))
"""


def test_dash_m_runs_a_package_module_like_python(tmp_path, capsys, monkeypatch):
    _package(tmp_path, "oldpkg", {"__init__.py": "", "main.py": MAIN, "helper.py": HELPER})
    code, out, err = _run_here(["-m", "oldpkg.main", "3", "--explain"], tmp_path, capsys, monkeypatch)
    assert code == 3, err
    lines = out.splitlines()
    assert lines[0] == "argv0 main.py args ['3', '--explain']"  # the module's arguments, --explain included
    assert lines[1] == "path0 " + os.getcwd()
    assert lines[2] == "name __main__ package oldpkg"
    assert lines[3] == "value 6.0"
    assert "torchcompat run --explain" not in err  # --explain after the module is the module's argument


HELPER = """\
    import torch
    def total():
        return torch.arange(4).float().sum()
"""


@pytest.mark.slow  # python -m and torchcompat run -m, each in a fresh interpreter
def test_dash_m_matches_python_dash_m(tmp_path):
    """Beside ``python -m`` itself, on a module that needs no restore: same output and exit code."""
    body = MAIN.replace('    print("value", helper.total().data[0])\n', "")
    _package(tmp_path, "plainpkg", {"__init__.py": "", "main.py": body, "helper.py": HELPER})
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    expected = procs.run(
        [sys.executable, "-m", "plainpkg.main", "5", "x"], cwd=str(tmp_path), capture_output=True, env=env
    )
    got = _run(["-m", "plainpkg.main", "5", "x"], tmp_path)
    assert (got[0], got[1]) == (expected.returncode, expected.stdout.decode()) == (5, got[1])


def test_dash_m_explain_before_the_module_reports_by_file(tmp_path, capsys, monkeypatch):
    if torch_indexes_0dim():
        pytest.skip("this torch indexes 0-dim tensors natively: no restore to report")
    _package(tmp_path, "oldpkg2", {"__init__.py": "", "main.py": MAIN, "helper.py": HELPER})
    code, out, err = _run_here(["--explain", "-m", "oldpkg2.main", "0"], tmp_path, capsys, monkeypatch)
    assert code == 0, err
    report = err[err.index("torchcompat run --explain") :].splitlines()
    where = os.path.join("oldpkg2", "main.py")
    assert where in report  # a header line per file
    used = [line for line in report if line.split() and line.split()[0] == "data-index-0"]
    assert len(used) == 1 and where + ":7" in used[0] and "1 line, 1 call" in used[0], report
    assert "rule TC" in used[0]


def test_dash_m_missing_module_and_package_without_main(tmp_path, capsys, monkeypatch):
    code, out, err = _run_here(["-m", "no_such_module_xyz"], tmp_path, capsys, monkeypatch)
    assert code == 1 and "No module named" in err and "no_such_module_xyz" in err and "Traceback" not in err
    _package(tmp_path, "nomain", {"__init__.py": ""})
    code, out, err = _run_here(["-m", "nomain"], tmp_path, capsys, monkeypatch)
    assert code == 1 and "nomain" in err and "Traceback" not in err
    code, out, err = _run_here(["-m"], tmp_path, capsys, monkeypatch)
    assert code == 2 and "-m needs a module name" in err
    code, out, err = _run_here([], tmp_path, capsys, monkeypatch)
    assert code == 2 and "give a script" in err


def test_dash_m_error_in_the_module_is_its_traceback(tmp_path, capsys, monkeypatch):
    _package(tmp_path, "badpkg", {"__init__.py": "", "__main__.py": "import missing_dependency_xyz\n"})
    code, out, err = _run_here(["-m", "badpkg"], tmp_path, capsys, monkeypatch)
    assert code == 1 and "Traceback (most recent call last)" in err
    assert "ModuleNotFoundError: No module named 'missing_dependency_xyz'" in err
    assert os.path.join("torchcompat", "legacy") not in err


LEGACY_TEST = """\
    import torch

    def test_loss_data_index():
        loss = torch.ones(3).sum()
        assert loss.data[0] == 3

    def test_fails_as_it_should():
        assert torch.ones(1).sum().item() == 2
"""


@needs_0dim_error
@pytest.mark.slow  # two pytest runs in fresh interpreters
def test_dash_m_pytest_runs_the_projects_tests_with_the_restores(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_old.py").write_text(textwrap.dedent(LEGACY_TEST))
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    code, out, err = _run(["-m", "pytest", "tests", "-q", "-p", "no:cacheprovider"], tmp_path)
    assert code == 1, out + err  # pytest's own exit code: one test fails
    assert "1 failed, 1 passed" in out and "test_fails_as_it_should" in out
    plain = procs.run(
        [sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider"],
        cwd=str(tmp_path),
        capture_output=True,
    )
    assert "2 failed" in plain.stdout.decode()  # without the restores the 0.3 idiom fails


# -- project scope -----------------------------------------------------------------------------------------

THIRD_PARTY = """\
    import torch

    def halve(n):
        return torch.tensor([n]) / 2

    def first(t):
        return t[0]
"""

SCOPED = """\
    import sys
    sys.path.insert(0, sys.argv[1])
    import torch
    import modernlib
    print("project", (torch.tensor([5]) / 2).tolist())
    print("library", modernlib.halve(5).tolist())
    try:
        print("library index", modernlib.first(torch.zeros(())))
    except IndexError:
        print("library index IndexError")
"""


@needs_true_int_div
def test_meaning_changing_restores_apply_to_the_project_only(tmp_path, capsys, monkeypatch):
    project = tmp_path / "project"
    project.mkdir()
    lib = _package(tmp_path, "lib", {"modernlib.py": THIRD_PARTY})
    script = _write(project, "main.py", SCOPED)
    code, out, err = _run_here(["--era", "0.3", script, str(lib)], tmp_path, capsys, monkeypatch)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "project [2]"  # truncated, as 0.3 did, for the project's own code
    assert lines[1] == "library [2.5]"  # torch's own `/` for code outside the project
    if not torch_indexes_0dim():
        assert lines[2] == "library index IndexError"
    code, out, err = _run_here(["--era", "0.3", "--all-modules", script, str(lib)], tmp_path, capsys, monkeypatch)
    assert code == 0 and out.splitlines()[:2] == ["project [2]", "library [2]"], err
    code, out, err = _run_here(
        ["--era", "0.3", "--project", str(project), "--project", str(lib), script, str(lib)],
        tmp_path,
        capsys,
        monkeypatch,
    )
    assert code == 0 and out.splitlines()[:2] == ["project [2]", "library [2]"], err
    assert engine.project() is None  # the scope is off again after the run


@needs_0dim_error
@needs_true_int_div  # its modern library divides with /
def test_data_index_restore_is_for_the_project_only(tmp_path, capsys, monkeypatch):
    project = tmp_path / "project"
    project.mkdir()
    lib = _package(tmp_path, "lib0", {"modernlib0.py": THIRD_PARTY})
    body = SCOPED.replace("modernlib", "modernlib0").replace(
        'print("project", (torch.tensor([5]) / 2).tolist())', 'print("project index", torch.ones(()).sum()[0])'
    )
    script = _write(project, "main.py", body)
    code, out, err = _run_here([script, str(lib)], tmp_path, capsys, monkeypatch)
    lines = out.splitlines()
    assert code == 0 and lines[0] == "project index 1.0" and lines[2] == "library index IndexError", err
    code, out, err = _run_here(["--all-modules", script, str(lib)], tmp_path, capsys, monkeypatch)
    assert code == 0 and out.splitlines()[2] == "library index 0.0", err


@needs_true_int_div
def test_site_packages_inside_the_project_is_not_project_code(tmp_path, capsys, monkeypatch):
    project = tmp_path / "project"
    lib = _package(project, os.path.join("venv", "lib", "site-packages"), {"modernlib1.py": THIRD_PARTY})
    script = _write(project, "main.py", SCOPED.replace("modernlib", "modernlib1"))  # a name not imported yet
    code, out, err = _run_here(["--era", "0.3", script, str(lib)], tmp_path, capsys, monkeypatch)
    assert code == 0 and out.splitlines()[:2] == ["project [2]", "library [2.5]"], err


def _code_from(filename, body):
    namespace = {}
    exec(compile(textwrap.dedent(body), filename, "exec"), namespace)
    return namespace


def test_in_scope_walks_to_the_first_frame_outside_torch_and_torchcompat(tmp_path):
    project, other = str(tmp_path / "project"), str(tmp_path / "other")
    inside = _code_from(os.path.join(project, "m.py"), "def f(check):\n    return check()\n")["f"]
    outside = _code_from(os.path.join(other, "m.py"), "def f(check):\n    return check()\n")["f"]
    # stand-ins for a restore's wrapper (asks for its caller) and for a torch function calling back
    ours = _code_from(
        engine.__file__,
        "from torchcompat.legacy.engine import in_scope\n"
        "def wrapper():\n    return in_scope(1)\n"
        "def torch_like(check):\n    return check()\n",
    )
    wrapper, torch_like = ours["wrapper"], ours["torch_like"]
    assert engine.project() is None and inside(wrapper) and outside(wrapper)  # scope off: everyone
    try:
        engine.set_project([project])
        assert engine.project() == (os.path.join(os.path.realpath(project), ""),)
        assert inside(wrapper) is True and outside(wrapper) is False
        # frames of torchcompat (and of torch) are skipped: the verdict is the first frame above them
        assert inside(functools.partial(torch_like, wrapper)) is True
        assert outside(functools.partial(torch_like, wrapper)) is False
        assert engine.in_project(os.path.join(project, "pkg", "x.py"))
        assert not engine.in_project(torch.__file__) and not engine.in_project(engine.__file__)
        assert not engine.in_project(os.path.join(project, "venv", "lib", "site-packages", "y.py"))
    finally:
        engine.set_project(None)
    with pytest.raises(ValueError):
        engine.set_project([])


def _mentions_in_scope(fn):
    """Does ``fn``'s source (a restore factory and the wrappers it defines) call ``in_scope``?"""
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    return any(isinstance(n, ast.Name) and n.id == "in_scope" for n in ast.walk(tree))


#: Meaning-kind WRAP restores that need not ask in_scope, and why.
_GLOBAL_ON_PURPOSE = {
    "torch.save": "only remembers which files this run wrote; every caller's file is the run's",
    "torch.load": "loads in full only what this run saved or the user trusted: the same answer for every caller",
}


def test_every_meaning_changing_wrap_restore_asks_in_scope():
    """A restore that changes what an existing call means must leave third-party callers torch's behaviour."""
    missing = []
    for shift_id, restore in all_restores():
        try:
            kind = REGISTRY.get(shift_id).kind
        except KeyError:
            continue
        if restore.kind != WRAP or kind != "meaning" or restore.name in _GLOBAL_ON_PURPOSE:
            continue
        factory = restore.factory
        module = sys.modules.get(getattr(factory, "__module__", ""))
        if not isinstance(factory, types.FunctionType) or module is None:
            continue
        if not _mentions_in_scope(factory) and not _mentions_in_scope(module):
            missing.append("%s (%s)" % (restore.name, shift_id))
    assert not missing, "meaning-changing WRAP restores that ignore the project scope: %s" % missing


# -- notebook-era scripts ----------------------------------------------------------------------------------

NOTEBOOK_PY = """\
    # coding: utf-8
    get_ipython().run_line_magic('matplotlib', 'inline')
    import torch
    %matplotlib inline
    !pip install nothing
    x = (7
         % 4)
    def f():
        %time y = 1
        return x
    print("f", f(), x != 2)
    print(torch.ones(2).sum().data[0])
    raise ValueError("line 13")
"""


def test_notebook_export_runs_with_magics_skipped(tmp_path, capsys, monkeypatch):
    script = _write(tmp_path, "exported.py", NOTEBOOK_PY)
    code, out, err = _run_here([script], tmp_path, capsys, monkeypatch)
    assert code == 1 and out.splitlines() == ["f 3 True", "2.0"], err
    notes = [line for line in err.splitlines() if "skipped IPython magic" in line]
    assert [n.split(": ")[2] for n in notes] == ["line 2", "line 4", "line 5", "line 9"], err
    assert 'File "%s", line 13, in <module>' % script in err and "ValueError: line 13" in err


def test_skip_magics_leaves_python_alone():
    code = "x = (3\n     % 2)\ny = x != 1\n"
    assert skip_magics(code) == (code, [])
    text, notes = skip_magics("a = 1; get_ipython().system('ls')\n")
    assert notes == []  # a statement sharing its line is not blanked (the other one would be lost)
    text, notes = skip_magics("def f():\n    get_ipython().system(\n        'ls')\n    return 1\n")
    if sys.version_info < (3, 8):  # no end_lineno: a call spanning lines is left alone
        assert notes == []
        return
    assert text == "def f():\n    pass\n\n    return 1\n" and notes == [
        "line 2: skipped IPython magic: get_ipython().system("
    ]


def test_a_real_syntax_error_is_still_reported(tmp_path, capsys, monkeypatch):
    script = _write(tmp_path, "broken.py", "%matplotlib inline\nx = (\n")
    code, out, err = _run_here([script], tmp_path, capsys, monkeypatch)
    assert code == 1 and "SyntaxError" in err and "line 1: skipped IPython magic" in err


def _script_from_notebook():
    try:
        from torchcompat.notebook import script_from_notebook
    except ImportError:
        return None
    return script_from_notebook


@pytest.mark.skipif(_script_from_notebook() is None, reason="torchcompat.notebook.script_from_notebook is missing")
def test_run_a_notebook(tmp_path, capsys, monkeypatch):
    import json

    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# old notebook"]},
        {"cell_type": "code", "metadata": {}, "source": ["%matplotlib inline\n", "import torch"], "outputs": []},
        {"cell_type": "code", "metadata": {}, "source": ["print(torch.ones(3).sum().data[0])"], "outputs": []},
    ]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 2}
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps(notebook))
    code, out, err = _run_here([str(path)], tmp_path, capsys, monkeypatch)
    assert code == 0 and out.strip() == "3.0", err


# -- limits: stated, with the line and the fix ---------------------------------------------------------------

NUMPY_SCALAR = """\
    import numpy as np
    import torch

    def mean_loss(x):
        return float(x.numpy())

    print(mean_loss(torch.ones(1, 1)))
"""


def _numpy_refuses_2d_float():
    import numpy as np

    try:
        float(np.ones((1, 1)))
    except TypeError:
        return True
    return False


@pytest.mark.skipif(not _numpy_refuses_2d_float(), reason="this NumPy converts a (1, 1) array with float()")
def test_numpy_scalar_limit_names_the_line_and_the_fix(tmp_path, capsys, monkeypatch):
    script = _write(tmp_path, "old.py", NUMPY_SCALAR)
    code, out, err = _run_here(["--explain", script], tmp_path, capsys, monkeypatch)
    assert code == 1 and "TypeError" in err
    advice = [line for line in err.splitlines() if line.startswith("torchcompat: this cannot be restored")]
    assert len(advice) == 1 and "(%s, line 5)" % script in advice[0] and ".item()" in advice[0], err
    report = err[err.index("torchcompat run --explain") :]
    assert "cannot be restored" in report and "numpy-scalar" in report and "old.py:5" in report


@pytest.mark.torch_version(">=1.5")
def test_inplace_limit_is_listed_by_explain(tmp_path, capsys, monkeypatch):
    from .test_legacy_cli import GAN

    script = _write(tmp_path, "gan.py", GAN)
    code, _, err = _run_here(["--explain", script], tmp_path, capsys, monkeypatch)
    assert code == 1 and "do every backward() before any step()" in err
    assert "(%s, line 8)" % script in err
    report = err[err.index("torchcompat run --explain") :]
    assert "inplace-after-step" in report and "gan.py:8" in report


def test_no_limit_advice_for_other_errors(tmp_path, capsys, monkeypatch):
    script = _write(tmp_path, "old.py", "raise TypeError('something else')\n")
    code, _, err = _run_here(["--explain", script], tmp_path, capsys, monkeypatch)
    assert code == 1 and "cannot be restored" not in err
    assert not legacy.is_patched()
