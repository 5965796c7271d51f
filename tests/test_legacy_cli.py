"""``torchcompat run``: runs a script as ``python script.py`` would (argv, sys.path[0], __name__, exit codes,
tracebacks), with the restores on; ``--explain``; the GAN in-place advice; and every shared legacy example
(../shared/legacy-examples, when present) plus our own examples/, checked against the README's references."""

from __future__ import annotations

import argparse
import os
import re
import sys
import textwrap
import warnings

import pytest

import torchcompat.legacy as legacy
from tests import procs
from torchcompat import cli
from torchcompat.legacy.cli import configure, explain_lines, run_script

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "legacy-examples")
EXAMPLES = os.path.join(ROOT, "examples")


def _write(tmp_path, name, body):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return str(path)


def _run(args, cwd, timeout=300):
    """``python -m torchcompat run ARGS`` in a fresh interpreter: exit code, stdout, stderr."""
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    proc = procs.run(
        [sys.executable, "-m", "torchcompat", "run"] + args,
        cwd=str(cwd),
        capture_output=True,
        env=env,
        timeout=timeout,
    )
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def _run_here(args, cwd, capsys, monkeypatch):
    """``torchcompat run ARGS`` in this interpreter, through the same entry point as the console script: exit
    code (a script's ``sys.exit`` propagates as it would to the interpreter), stdout, stderr. One subprocess
    per command would cost an ``import torch`` each (2-4 s on 2.x); the restores are undone after every run
    (checked), so the runs do not leak into each other. ``sys.excepthook`` is the interpreter's own during the run,
    as in a fresh process (another test may leave one installed: torch.distributed's prefixes "[rank0]: "), and
    put back after it (a script may install its own)."""
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "excepthook", sys.__excepthook__)
    capsys.readouterr()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            code = cli.main(["run"] + args)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if exc.code is not None and not isinstance(exc.code, int):
                sys.stderr.write("%s\n" % exc.code)  # what the interpreter prints for sys.exit("message")
    out, err = capsys.readouterr()
    assert not legacy.is_patched()
    return code, out, err


def test_runs_like_python_script(tmp_path, capsys, monkeypatch):
    script = _write(
        tmp_path,
        "old.py",
        """\
        import os, sys
        import torch
        print("argv", sys.argv)
        print("path0", sys.path[0])
        print("name", __name__)
        loss = torch.ones(2).sum()
        print("loss", loss.data[0])
        if __name__ == "__main__":
            sys.exit(int(sys.argv[1]))
        """,
    )
    path0, argv = sys.path[0], sys.argv[:]
    code, out, err = _run_here([script, "3", "--flag"], tmp_path, capsys, monkeypatch)
    assert code == 3, err
    assert "argv ['%s', '3', '--flag']" % script in out
    assert "path0 %s" % os.path.realpath(str(tmp_path)) in out
    assert "name __main__" in out and "loss 2.0" in out
    assert (sys.path[0], sys.argv) == (path0, argv)  # the runner's changes are undone
    code, out, err = _run_here([script, "0"], tmp_path, capsys, monkeypatch)
    assert code == 0, err


def test_exit_codes_and_tracebacks(tmp_path, capsys, monkeypatch):
    msg = _write(tmp_path, "msg.py", "import sys\nsys.exit('bye bye')\n")
    code, _, err = _run_here([msg], tmp_path, capsys, monkeypatch)
    assert code == 1 and "bye bye" in err
    boom = _write(tmp_path, "boom.py", "def f():\n    raise ValueError('boom 42')\n\nf()\n")
    code, _, err = _run_here([boom], tmp_path, capsys, monkeypatch)
    assert code == 1
    assert err.splitlines()[0] == "Traceback (most recent call last):"
    assert 'File "%s", line 4, in <module>' % boom in err and "ValueError: boom 42" in err
    assert "runpy" not in err and os.path.join("torchcompat", "legacy") not in err
    code, _, err = _run_here([str(tmp_path / "missing.py")], tmp_path, capsys, monkeypatch)
    assert code == 2 and "No such file" in err


def test_end_to_end_in_a_fresh_interpreter(tmp_path):
    """The console path itself: a restored 0.3 idiom runs, and a failure reaches the shell as python reports
    it (exit status 1, the traceback trimmed to the script's frames)."""
    script = _write(
        tmp_path,
        "old.py",
        """\
        import sys
        import torch
        print("loss", torch.ones(2).sum().data[0], sys.argv[1:])
        def f():
            raise ValueError('boom 42')
        f()
        """,
    )
    code, out, err = _run([script, "3"], tmp_path)
    assert code == 1 and "loss 2.0 ['3']" in out, err
    assert err.splitlines()[0] == "Traceback (most recent call last):", err
    assert 'File "%s", line 6, in <module>' % script in err and "ValueError: boom 42" in err
    assert "runpy" not in err and os.path.join("torchcompat", "legacy") not in err


def test_explain_names_the_first_use_and_the_fix(tmp_path, capsys, monkeypatch):
    script = _write(
        tmp_path,
        "old.py",
        """\
        import torch
        import torch.nn.functional as F
        x = torch.arange(6).view(2, 3).float()
        total = x.sum()
        for _ in range(3):
            print(total.data[0])
        print(F.softmax(x).sum(1))
        """,
    )
    code, out, err = _run_here(["--explain", script], tmp_path, capsys, monkeypatch)
    assert code == 0, err
    lines = [line for line in err.splitlines() if "old.py:" in line]
    assert any(line.split()[0] == "softmax-dim" and "old.py:7" in line for line in lines), err
    if not torch_indexes_0dim():
        assert any(line.split()[0] == "data-index-0" and "old.py:6" in line for line in lines), err
    for line in lines:
        assert re.search(r"(rule \S+|shift [a-z0-9-]+)", line), line


def test_explain_lines_without_uses():
    assert explain_lines({})[0].endswith("0 restores used")


def test_select_limits_the_restores(tmp_path, capsys, monkeypatch):
    if torch_indexes_0dim():
        pytest.skip("this torch indexes 0-dim tensors natively")
    script = _write(tmp_path, "old.py", "import torch\nprint(torch.zeros(()).data[0])\n")
    code, out, err = _run_here(["--select", "int-div", script], tmp_path, capsys, monkeypatch)
    assert code == 1 and "IndexError" in err
    code, out, err = _run_here([script], tmp_path, capsys, monkeypatch)
    assert code == 0 and out.strip() == "0.0", err


def torch_int_div_truncates():
    """Does this torch's integer ``/`` truncate natively (torch < 1.5)? Then ``run`` has no int-div restore to
    apply. 1.5 truncates with a warning, 1.6 raises, 1.7+ divides truly: the restore is needed from 1.6."""
    import torch

    try:
        return not (torch.ones(1, dtype=torch.long) / 2).is_floating_point()
    except RuntimeError:  # 1.6: "Integer division of tensors using div or / is no longer supported"
        return False


def torch_indexes_0dim():
    import torch

    try:
        torch.zeros(())[0]
    except IndexError:
        return False
    return True


GAN = """\
    import torch
    D = torch.nn.Linear(2, 1)
    opt = torch.optim.SGD(D.parameters(), lr=0.1)
    fake = torch.randn(4, 2, requires_grad=True)
    out = D(fake)
    out.mean().backward(retain_graph=True)
    opt.step()
    out.pow(2).mean().backward()
    """


@pytest.mark.torch_version(">=1.5")  # optimizers modified weights without bumping the version counter before
def test_inplace_gan_error_names_the_fix(tmp_path, capsys, monkeypatch):
    script = _write(tmp_path, "gan.py", GAN)
    code, _, err = _run_here([script], tmp_path, capsys, monkeypatch)
    assert code == 1 and "modified by an inplace operation" in err
    assert "do every backward() before any step()" in err


@pytest.mark.torch_version("==1.6.*")  # the exit deadlock after a failed backward() is torch 1.6's
def test_failed_backward_exits_on_torch_1_6(tmp_path):
    # torch 1.6 deadlocked at exit here (pytorch#42132) until the runner freed the script's graph first
    code, _, err = _run([_write(tmp_path, "gan.py", GAN)], tmp_path, timeout=120)
    assert code == 1 and "do every backward() before any step()" in err


def test_python_dash_m_and_console_script_help():
    proc = procs.run(
        [sys.executable, "-m", "torchcompat", "run", "--help"],
        capture_output=True,
        timeout=300,
    )
    text = proc.stdout.decode()
    assert proc.returncode == 0 and "--explain" in text and "--trust-checkpoints" in text and "--era" in text


# -- the legacy examples -----------------------------------------------------------------------------


def _references():
    refs = {}
    readme = os.path.join(SHARED, "README.md")
    if not os.path.exists(readme):
        return refs
    with open(readme) as f:
        for line in f:
            m = re.match(r"\|\s*`(v\d+_\w+)\.py`\s*\|\s*([0-9.e-]+)\s*\|", line)
            if m:
                refs[m.group(1)] = float(m.group(2))
    return refs


REFS = _references()
SHARED_SCRIPTS = sorted(REFS)
OWN_SCRIPTS = sorted(f[:-3] for f in os.listdir(EXAMPLES) if f.endswith(".py")) if os.path.isdir(EXAMPLES) else []


def _within(value, ref):
    """The README's tolerance: accuracies within 0.05, losses within a factor of 3."""
    if ref >= 0.5:  # an accuracy
        return abs(value - ref) <= 0.05
    return ref / 3 <= value <= ref * 3


def _result(out):
    found = re.findall(r"^RESULT (\S+) (\S+)$", out, re.M)
    assert found, out[-2000:]
    return float(found[-1][1])


@pytest.mark.skipif(not SHARED_SCRIPTS, reason="../shared/legacy-examples is not present")
@pytest.mark.parametrize("name", SHARED_SCRIPTS or ["none"])
@pytest.mark.slow
def test_shared_legacy_example(name, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = run_script(os.path.join(SHARED, name + ".py"), [])
    out, err = capsys.readouterr()
    assert code == 0, err[-3000:]
    value = _result(out)
    assert _within(value, REFS[name]), (value, REFS[name])
    assert not legacy.is_patched()


@pytest.mark.parametrize("name", OWN_SCRIPTS)
def test_own_example(name, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = run_script(os.path.join(EXAMPLES, name + ".py"), [])
    out, err = capsys.readouterr()
    assert code == 0, err[-3000:]
    assert 0.75 <= _result(out) <= 1.0


def test_help_describes_modules_and_the_project_scope():
    parser = argparse.ArgumentParser(prog="torchcompat run")
    configure(parser)
    text = parser.format_help()
    for option in ("-m module", "as python -m does", "--project DIR", "--all-modules", ".ipynb"):
        assert option in text, text
    args = parser.parse_args(["--era", "0.3", "-m", "pytest", "tests", "--explain"])
    assert (args.module, args.explain, args.script) == (["pytest", "tests", "--explain"], False, None)
    args = parser.parse_args(["--explain", "old.py", "-m", "x"])
    assert (args.module, args.explain, args.script, args.args) == (None, True, "old.py", ["-m", "x"])
