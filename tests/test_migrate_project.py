"""Project mode: ``torchcompat migrate FOLDER`` sees the folder as one project (torchcompat/migrate/project.py).

A load of a whole model that another file saves keeps loading (TC601), a legacy ``autograd.Function`` imported
from a sibling module is rewritten with its calls (TC104), both in one process and on the parallel path. The
migrated projects run on plain torch (subprocess, torchcompat blocked); the 2017 word_language_model of
pytorch/examples (fetched into the cache of tests/places.py, never into the repository) is migrated and run when present.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import textwrap

import pytest

from tests import places, procs
from tests.migrate_helpers import BLOCKER
from torchcompat.version import at_least

pytestmark = pytest.mark.skipif(sys.version_info < (3, 8), reason="the migration tool needs Python >= 3.8")


MODEL = """
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, n):
        super(Net, self).__init__()
        self.fc = nn.Linear(n, 2)

    def forward(self, x):
        return self.fc(x)
"""

MAIN = """
import argparse

import torch

from model import Net

parser = argparse.ArgumentParser()
parser.add_argument('--save', type=str, default='model.pt')
args = parser.parse_args()

torch.manual_seed(0)
net = Net(3)
with open(args.save, 'wb') as f:
    torch.save(net, f)
torch.save(net.state_dict(), 'weights.pt')
"""

GENERATE = """
import argparse

import torch

parser = argparse.ArgumentParser()
parser.add_argument('--checkpoint', type=str, default='./model.pt')
args = parser.parse_args()

with open(args.checkpoint, 'rb') as f:
    model = torch.load(f)
state = torch.load('weights.pt')
print('LOADED', type(model).__name__, sorted(state), float(model(torch.ones(1, 3)).sum()))
"""


def _write(folder, files):
    os.makedirs(str(folder), exist_ok=True)
    for name, text in files.items():
        with open(os.path.join(str(folder), name), "w") as handle:
            handle.write(textwrap.dedent(text).lstrip())


def _migrate(*args):
    proc = procs.run(
        [sys.executable, "-m", "torchcompat", "migrate", "--target-version", "2.13"] + list(args),
        capture_output=True,
        text=True,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return proc


def _run(folder, script, *args, block=True):
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    cmd = [sys.executable, "-W", "ignore"] + (["-c", BLOCKER] if block else []) + [script] + list(args)
    return procs.run(cmd, capture_output=True, text=True, cwd=str(folder), env=env, timeout=300)


def _read(folder, name):
    with open(os.path.join(str(folder), name)) as handle:
        return handle.read()


@pytest.mark.skipif(not at_least("1.13"), reason="torch.load has weights_only= from 1.13: the migrated load needs it")
def test_whole_model_saved_by_a_sibling_keeps_loading(tmp_path):
    _write(tmp_path, {"model.py": MODEL, "main.py": MAIN, "generate.py": GENERATE})
    before = _run(tmp_path, "main.py")
    assert before.returncode == 0, before.stderr
    failed = _run(tmp_path, "generate.py")
    if at_least("2.6"):  # weights_only=True by default: the unmigrated load fails
        assert failed.returncode != 0 and "weights_only" in failed.stderr.replace("Weights only", "weights_only")
    else:  # before 2.6 it loads (with a FutureWarning from 2.4): the migration must keep it loading
        assert failed.returncode == 0, failed.stderr
    alone = _migrate(str(tmp_path / "generate.py"))  # one file: the writer is unknown: never weights_only=False
    assert "weights_only=False" not in alone.stdout
    _migrate("--write", "-q", str(tmp_path))
    text = _read(tmp_path, "generate.py")
    assert (
        "torch.load(f, weights_only=False)  # torchcompat: main.py saves a whole model here "
        "(torch.save(net, f)); weights_only=True would fail" in text
    )
    assert "torch.load('weights.pt', weights_only=True)" in text  # a state dict: the safe loader
    for script in ("main.py", "generate.py"):
        proc = _run(tmp_path, script)
        assert proc.returncode == 0, proc.stderr
    assert re.search(r"^LOADED Net \['fc.bias', 'fc.weight'\] \S+$", proc.stdout, re.M), proc.stdout


def test_parallel_path_gets_the_index(tmp_path):
    from torchcompat.migrate.engine import Options
    from torchcompat.migrate.runner import PARALLEL_THRESHOLD, run

    _write(tmp_path, {"model.py": MODEL, "main.py": MAIN, "generate.py": GENERATE})
    for i in range(PARALLEL_THRESHOLD):
        _write(tmp_path, {"filler_%02d.py" % i: "import torch\nx = torch.load('other_%d.pt')\n" % i})
    files = sorted(str(p) for p in tmp_path.iterdir())
    reports = run(files, Options(target="2.13", fix=True), write=True, jobs=2)
    assert not [r.error for r in reports if r.error]
    assert "weights_only=False)  # torchcompat: main.py saves a whole model" in _read(tmp_path, "generate.py")
    assert "torch.load('weights.pt', weights_only=True)" in _read(tmp_path, "generate.py")


def test_a_notebook_that_saves_a_whole_model_is_indexed(tmp_path):
    """A notebook's code cells (a magic among them) are read into the index as ``check`` reads them: the
    load of the model the notebook saves keeps loading, and the message names the notebook's cell."""
    import json

    from torchcompat.migrate.engine import Options
    from torchcompat.migrate.runner import run

    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# train\n"]},
        {
            "cell_type": "code",
            "execution_count": 1,
            "metadata": {},
            "outputs": [],
            "source": ["%matplotlib inline\n", "import torch\n", "from model import Net\n"],
        },
        {
            "cell_type": "code",
            "execution_count": 2,
            "metadata": {},
            "outputs": [],
            "source": ["net = Net(3)\n", "with open('model.pt', 'wb') as f:\n", "    torch.save(net, f)\n"],
        },
    ]
    _write(tmp_path, {"model.py": MODEL, "generate.py": "import torch\nmodel = torch.load('model.pt')\n"})
    (tmp_path / "train.ipynb").write_text(
        json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 2})
    )
    files = sorted(str(p) for p in tmp_path.iterdir())
    reports = {os.path.basename(r.path): r for r in run(files, Options(target="2.13", fix=True), write=True)}
    assert not [r.error for r in reports.values() if r.error]
    assert "torch.load('model.pt', weights_only=False)  # torchcompat: train.ipynb saves a whole model here" in _read(
        tmp_path, "generate.py"
    )
    (finding,) = [f for f in reports["generate.py"].findings if f.code == "TC601"]
    assert "that train.ipynb saves (cell 3, line 3)" in finding.message


SAMPLE = """
import torch


def restore(checkpoint, n=1):
    with open(checkpoint, 'rb') as f:
        model = torch.load(f)
    return model


def peek(path):
    return torch.load(path)
"""

TRAIN = """
import argparse

import torch
import torch.nn as nn

import sample
from sample import restore as fetch

parser = argparse.ArgumentParser()
parser.add_argument('--save', type=str, default='model.pt')
args = parser.parse_args()

torch.manual_seed(0)
net = nn.Linear(3, 2)
with open(args.save, 'wb') as f:
    torch.save(net, f)
torch.save(net.state_dict(), 'weights.pt')
model = sample.restore(args.save)
again = fetch(checkpoint='./model.pt')
state = sample.peek('weights.pt')
print('RESULT', type(model).__name__, type(again).__name__, sorted(state))
"""


@pytest.mark.skipif(not at_least("1.13"), reason="torch.load has weights_only= from 1.13: the migrated load needs it")
def test_load_of_a_parameter_follows_the_calls(tmp_path):
    """A load whose path is a parameter (``def restore(checkpoint): ... torch.load(f)``) reads what the calls
    of the function in the project pass: ``args.save`` and ``'./model.pt'``, both written as a whole model by
    ``train.py``: weights_only=False with the writer named; ``peek`` is only given a state dict: handled as
    before (without an era, left alone)."""
    _write(tmp_path, {"sample.py": SAMPLE, "train.py": TRAIN})
    if at_least("2.6"):  # weights_only=True by default: the unmigrated load of a whole module fails
        failed = _run(tmp_path, "train.py")
        assert failed.returncode != 0 and "weights_only" in failed.stderr.replace("Weights only", "weights_only")
    alone = _migrate(str(tmp_path / "sample.py"))  # one file: the callers are unknown
    assert "weights_only=False" not in alone.stdout
    _migrate("--write", "-q", str(tmp_path))
    text = _read(tmp_path, "sample.py")
    assert (
        "torch.load(f, weights_only=False)  # torchcompat: train.py saves a whole model here "
        "(torch.save(net, f)); weights_only=True would fail" in text
    )
    assert "def peek(path):\n    return torch.load(path)\n" in text  # only a state dict passed: left as before
    proc = _run(tmp_path, "train.py")
    assert proc.returncode == 0, proc.stderr
    assert "RESULT Linear Linear ['bias', 'weight']" in proc.stdout


FUNCS = """
import torch
from torch.autograd import Function


class MyReLU(Function):
    def forward(self, input):
        self.save_for_backward(input)
        return input.clamp(min=0)

    def backward(self, grad_output):
        input, = self.saved_tensors
        grad = grad_output.clone()
        grad[input < 0] = 0
        return grad
"""

USER = """
import torch

from funcs import MyReLU

relu = MyReLU()
x = torch.tensor([-1.0, 2.0, -3.0, 4.0], requires_grad=True)
y = relu(x).sum() + MyReLU()(x * 2).sum()
y.backward()
print('RESULT', float(y), x.grad.tolist())
"""


def test_legacy_function_from_a_sibling_module(tmp_path):
    _write(tmp_path, {"funcs.py": FUNCS, "train.py": USER})
    if at_least("1.5"):  # legacy Functions raise since torch 1.5 (they only warned before)
        assert _run(tmp_path, "train.py").returncode != 0
    _migrate("--write", "-q", str(tmp_path))
    text = _read(tmp_path, "train.py")
    assert "y = MyReLU.apply(x).sum() + MyReLU.apply(x * 2).sum()" in text and "relu = MyReLU()" not in text
    assert "@staticmethod" in _read(tmp_path, "funcs.py")
    proc = _run(tmp_path, "train.py")
    assert proc.returncode == 0, proc.stderr
    assert "RESULT 18.0 [0.0, 3.0, 0.0, 3.0]" in proc.stdout


def test_legacy_function_kept_when_a_sibling_uses_it_otherwise(tmp_path):
    user = USER.replace("relu = MyReLU()", "relu = MyReLU()\nhelpers = [relu]")
    _write(tmp_path, {"funcs.py": FUNCS, "train.py": user})
    proc = _migrate(str(tmp_path))
    assert "TC104" in proc.stdout + proc.stderr
    assert "funcs.py" not in proc.stdout.split("would rewrite")[0] or "@staticmethod" not in proc.stdout
    check = procs.run([sys.executable, "-m", "torchcompat", "check", str(tmp_path)], capture_output=True, text=True)
    assert "in train.py, the instance relu of MyReLU is used other than by calling it" in check.stdout


#: the 2017 word_language_model of pytorch/examples (commit d5678bc, Dec 2017), checked out by hand into the
#: cache (see the module docstring); the test is skipped where it is absent
WLM = os.environ.get("TORCHCOMPAT_WLM2017", places.cached("wlm2017/word_language_model"))


@pytest.mark.slow
@pytest.mark.skipif(not os.path.isfile(os.path.join(WLM, "main.py")), reason="word_language_model 2017 not in cache")
def test_word_language_model_2017_runs_after_migrate(tmp_path):
    project = tmp_path / "wlm"
    shutil.copytree(WLM, str(project), ignore=shutil.ignore_patterns("data"))
    data = tmp_path / "data"
    words = "the cat sat on a mat and dog ran to park with red ball under big tree".split()
    for name, lines in (("train", 120), ("valid", 30), ("test", 30)):
        _write(
            data,
            {name + ".txt": "".join(" %s \n" % " ".join(words[(i + j) % 17] for j in range(8)) for i in range(lines))},
        )
    assert _run(project, "main.py", "--data", str(data), "--epochs", "1", block=False).returncode != 0
    _migrate("--write", "-q", str(project))
    main, generate = _read(project, "main.py"), _read(project, "generate.py")
    assert "if isinstance(h, torch.Tensor):" in main  # repackage_hidden (TC106)
    assert "total_loss.item() / len(data_source)" in main  # the 0-dim accumulator (TC103)
    assert "weights_only=False)  # torchcompat: main.py saves a whole model here (torch.save(model, f))" in generate
    args = ["--data", str(data), "--epochs", "1", "--emsize", "16", "--nhid", "16", "--bptt", "5"]
    proc = _run(project, "main.py", *args, "--batch_size", "4", "--save", "model.pt")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert re.search(r"End of training \| test loss\s+\d", proc.stdout), proc.stdout[-2000:]
    proc = _run(project, "generate.py", "--data", str(data), "--checkpoint", "./model.pt", "--words", "20")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(_read(project, "generated.txt").split()) == 20
