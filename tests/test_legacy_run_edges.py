"""``torchcompat run`` at its edges: checkpoints saved and loaded through file objects (trusted only when this
run wrote them and nothing changed since), volatile Variables that print, format and pickle as tensors, and
tracebacks, exit codes and SyntaxError displays that are python's own (``python script.py`` run beside it)."""

from __future__ import annotations

import copy
import gzip
import io
import os
import pickle
import sys
import tempfile
import warnings

import pytest
import torch

import torchcompat.legacy as legacy
from tests import procs
from torchcompat.legacy.restores import autograd as r_autograd
from torchcompat.legacy.restores import serialization as r_ser
from torchcompat.probe import TorchEnv

from .test_legacy_cli import _run, _run_here, _write

ENV = TorchEnv.of(torch)
WEIGHTS_ONLY_DEFAULT = ENV.accepts("load", "weights_only") and ENV.at_least("2.6")
needs_weights_only_default = pytest.mark.skipif(
    not WEIGHTS_ONLY_DEFAULT, reason="torch.load defaults to weights_only=True only on torch >= 2.6"
)
needs_volatile = pytest.mark.skipif(
    not r_autograd._has_subclass_dispatch(ENV), reason="the volatile restore needs __torch_function__ (torch >= 1.7)"
)
LEGACY_DIR = os.path.join("torchcompat", "legacy")


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    monkeypatch.delenv(r_ser.TRUST_ENV, raising=False)
    monkeypatch.delenv("TORCHCOMPAT_FULL_TRACEBACK", raising=False)
    legacy.unpatch()
    yield
    legacy.unpatch()


# -- checkpoints through file objects ------------------------------------------------------------------

# The save/load pattern of pytorch/examples word_language_model (2017): a whole model pickled through file
# objects, its class defined in the script.
LANGUAGE_MODEL = """\
    import sys
    import torch
    import torch.nn as nn

    class RNNModel(nn.Module):
        def __init__(self, ntoken, nhid):
            super(RNNModel, self).__init__()
            self.encoder = nn.Embedding(ntoken, nhid)
            self.rnn = nn.LSTM(nhid, nhid, 1)
            self.decoder = nn.Linear(nhid, ntoken)

        def forward(self, x):
            out, _ = self.rnn(self.encoder(x))
            return self.decoder(out)

    torch.manual_seed(0)
    model = RNNModel(10, 4)
    x = torch.arange(6).view(3, 2) % 10
    expected = model(x).detach()
    with open("model.pt", "wb") as f:
        torch.save(model, f)
    with open("model.pt", "rb") as f:
        model = torch.load(f)
    print("fobj/fobj", type(model).__name__, torch.equal(model(x).detach(), expected))
    print("fobj/path", type(torch.load("model.pt")).__name__)
    torch.save(model, "by_path.pt")
    with open("by_path.pt", "rb") as f:
        print("path/fobj", type(torch.load(f)).__name__)
    """


def test_file_object_save_and_load_are_trusted(tmp_path, capsys, monkeypatch):
    script = _write(tmp_path, "main.py", LANGUAGE_MODEL)
    code, out, err = _run_here([script], tmp_path, capsys, monkeypatch)
    assert code == 0, err
    assert out.splitlines() == ["fobj/fobj RNNModel True", "fobj/path RNNModel", "path/fobj RNNModel"]


REPLACED = """\
    import os, shutil
    import torch
    with open("model.pt", "wb") as f:
        torch.save(torch.nn.Linear(2, 3), f)
    shutil.copyfile("model.pt", "other.pt")  # same bytes, but not the file this run wrote
    os.replace("other.pt", "model.pt")
    with open("model.pt", "rb") as f:
        print(type(torch.load(f)).__name__)
    """


@needs_weights_only_default
def test_a_file_replaced_between_save_and_load_is_refused(tmp_path, capsys, monkeypatch):
    script = _write(tmp_path, "replaced.py", REPLACED)
    code, out, err = _run_here(["--era", "0.3", script, "a b"], tmp_path, capsys, monkeypatch)
    assert code == 1 and out == ""
    assert "UntrustedCheckpointError" in err and "replaced since this run wrote it" in err, err
    assert "Unsupported global" in err and "torch.nn.modules.linear.Linear" in err
    # the refusal names the exact command that trusts the file: this one, with the flag
    assert "`torchcompat run --trust-checkpoints --era 0.3 %s 'a b'`" % script in err, err
    assert err.splitlines()[0] == "Traceback (most recent call last):"
    assert LEGACY_DIR not in err and "Weights only load failed" not in err  # no chained torch error, no frame of ours
    code, out, err = _run_here(["--trust-checkpoints", "--era", "0.3", script, "a b"], tmp_path, capsys, monkeypatch)
    assert code == 0 and out.strip() == "Linear", err


DAMAGED = """\
    import torch
    torch.save({"w": torch.ones(3)}, "good.pt")
    with open("good.pt", "rb") as f:
        data = f.read()
    with open("cut.pt", "wb") as f:
        f.write(data[: len(data) // 2])
    with open("junk.pt", "wb") as f:
        f.write(b"\\x80\\x02not a checkpoint at all" * 3)
    open("empty.pt", "wb").close()
    for name in ("cut.pt", "junk.pt", "empty.pt"):
        try:
            torch.load(name)
        except Exception as e:
            print(name, type(e).__name__, "not a torch checkpoint or corrupted" in str(e), name in str(e))
    """


@needs_weights_only_default  # the torch.load restore exists where torch loads weights-only by default
def test_a_damaged_file_is_reported_as_damaged_not_as_untrusted(tmp_path, capsys, monkeypatch):
    # files the run did not save, that are no checkpoint: one clear error, not a --trust-checkpoints refusal
    script = _write(tmp_path, "damaged.py", DAMAGED)
    code, out, err = _run_here([script], tmp_path, capsys, monkeypatch)
    assert code == 0, err
    assert out.splitlines() == [
        "cut.pt InvalidCheckpointError True True",
        "junk.pt InvalidCheckpointError True True",
        "empty.pt InvalidCheckpointError True True",
    ]


@needs_weights_only_default
def test_what_this_run_saved_and_nothing_else(tmp_path):
    """``written_by_this_run`` on each kind of target; a refused load raises UntrustedCheckpointError."""
    model = torch.nn.Linear(2, 3)
    p = str(tmp_path / "m.pt")

    def ours(f):
        answer, why = r_ser.written_by_this_run(f)
        assert answer == (why == ""), why
        return why or True

    def loads(f):
        try:
            return type(torch.load(f)).__name__
        except r_ser.UntrustedCheckpointError as exc:
            assert r_ser.TRUST_ENV in str(exc) and isinstance(exc.original, pickle.UnpicklingError)
            return "refused"

    with legacy.patched(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert ours(p) == "not a regular file"  # not there yet
        with open(p, "wb") as f:
            torch.save(model, f)
        assert ours(p) is True and loads(p) == "Linear"
        with open(p, "rb") as f:
            assert ours(f) is True and loads(f) == "Linear"
        with open(p, "ab") as f:  # the script itself adds bytes: no longer what the save left
            f.write(b"\0")
        assert ours(p) == "changed or replaced since this run wrote it" and loads(p) == "refused"

        torch.save(model, p)
        os.utime(p, ns=(0, 0))  # touched: its stamp is not the one after our save
        assert ours(p) == "changed or replaced since this run wrote it"

        foreign = str(tmp_path / "foreign.pt")
        with open(foreign, "wb") as f:
            f.write(b"x" * 10**6)
        with open(foreign, "r+b") as f:  # saved over the start of a longer file: its tail is not ours
            torch.save(model, f)
        assert ours(foreign) == "not written by this run"  # (and not a valid checkpoint either)
        with open(foreign, "ab") as f:  # appended to a file that holds something else
            torch.save(model, f)
        assert ours(foreign) == "not written by this run"

        two = str(tmp_path / "two.pt")
        legacy_format = {"_use_new_zipfile_serialization": False}  # 0.3's format: saves follow each other
        with open(two, "w+b") as f:  # two saves into one file object: both ours, loaded one after the other
            torch.save(model, f, **legacy_format)
            second = f.tell()
            torch.save(torch.nn.ReLU(), f, **legacy_format)
            f.seek(0)
            assert ours(f) is True and loads(f) == "Linear" and f.tell() == second
            assert ours(f) is True and loads(f) == "ReLU"
            f.seek(1)
            assert ours(f) == "read from an offset where no save of this run began"

        with tempfile.NamedTemporaryFile(dir=str(tmp_path)) as f:  # a wrapper around a real file
            torch.save(model, f)
            f.seek(0)
            assert ours(f) is True and loads(f) == "Linear"
            assert ours(f.name) is True

        gz = str(tmp_path / "m.pt.gz")
        with gzip.open(gz, "wb") as f:
            torch.save(model, f)
        with gzip.open(gz, "rb") as f:  # its bytes are not the file's: never trusted
            assert ours(f) == "a file-like object whose bytes are not those of a file on disk"

        buffer = io.BytesIO()
        torch.save(model, buffer)
        buffer.seek(0)
        assert ours(buffer) is True and loads(buffer) == "Linear"
        copied = io.BytesIO(buffer.getvalue())  # the same bytes, another buffer: not what we saved into
        assert ours(copied) == "an in-memory buffer this run did not save into" and loads(copied) == "refused"
        buffer.seek(0, 2)
        buffer.write(b"\0")
        buffer.seek(0)
        assert ours(buffer) == "an in-memory buffer changed since this run saved into it"


@needs_weights_only_default
def test_a_saved_buffer_is_forgotten_with_it():
    with legacy.patched(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        before = len(r_ser._written_buffers)
        buffer = io.BytesIO()
        torch.save(torch.nn.Linear(2, 2), buffer)
        assert len(r_ser._written_buffers) == before + 1
        del buffer
        assert len(r_ser._written_buffers) == before  # no reference kept: a training loop does not leak


# -- volatile Variables print as tensors --------------------------------------------------------------

_SAMPLES = [
    ("scalar", lambda: torch.tensor(1.5)),
    ("vector", lambda: torch.ones(2)),
    ("matrix", lambda: torch.arange(12.0).view(3, 4) / 7),
    ("3-d", lambda: torch.linspace(-1, 1, 24).view(2, 3, 4)),
    ("summarized", lambda: torch.arange(3000.0).view(30, 100)),
    ("float64", lambda: torch.tensor([1e-8, 2.5, 1e8], dtype=torch.float64)),
    ("float16", lambda: torch.tensor([0.1, 2.0], dtype=torch.float16)),
    ("empty", lambda: torch.zeros(0, 3)),
    ("integer", lambda: torch.arange(5)),
]


@needs_volatile
@pytest.mark.parametrize("name,make", _SAMPLES, ids=[n for n, _ in _SAMPLES])
def test_volatile_prints_as_a_tensor(name, make):
    plain = make()
    with legacy.patched(select="volatile"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from torch.autograd import Variable

        v = Variable(plain.clone(), volatile=True)
        assert v.volatile
        assert repr(v) == repr(plain) and str(v) == str(plain)
        assert repr([v, (v,)]) == repr([plain, (plain,)]) and str({"k": v}) == str({"k": plain})
        assert format(v, "") == format(plain, "") and "%s" % (v,) == "%s" % (plain,)
        assert torch.Tensor.__repr__(v) == repr(plain)
        if plain.dim() == 0:
            assert "{:.3f}".format(v) == "{:.3f}".format(plain) == "1.500"
        if plain.is_floating_point() and plain.numel():
            v.requires_grad_()  # annotations as a plain tensor's
            assert repr(v) == repr(plain.clone().requires_grad_())
        try:
            torch.set_printoptions(precision=2, linewidth=30, sci_mode=True)
            assert repr(v.detach()) == repr(plain)
            assert repr(Variable(plain.clone(), volatile=True)) == repr(plain)
        finally:
            torch.set_printoptions(profile="default")
            torch.set_printoptions(sci_mode=None)
        assert "VolatileTensor" not in repr(v)


@needs_volatile
def test_volatile_results_print_pickle_and_copy_as_tensors():
    lin = torch.nn.Linear(3, 2)
    with legacy.patched(select="volatile"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from torch.autograd import Variable

        out = lin(Variable(torch.ones(4, 3), volatile=True))
        expected = lin(torch.ones(4, 3)).detach()
        assert out.volatile and repr(out) == repr(expected)
        # a graph-carrying result (in-place on a tracked tensor) shows its grad_fn, as a plain tensor would
        tracked = torch.ones(2, requires_grad=True) * 3
        mixed = tracked.add_(Variable(torch.ones(2), volatile=True))
        assert repr(mixed).startswith("tensor([4., 4.], grad_fn=<") and "Volatile" not in repr(mixed)
        assert mixed.grad_fn is not None and type(mixed).__name__ == "VolatileTensor"  # switched back
        # pickled (torch.save) as the plain tensor it stands for; copies stay volatile
        back = pickle.loads(pickle.dumps(out))
        assert type(back) is torch.Tensor and torch.equal(back, expected)
        buffer = io.BytesIO()
        torch.save({"pred": out.data}, buffer)
        buffer.seek(0)
        assert type(torch.load(buffer)["pred"]) is torch.Tensor
        for dup in (copy.copy(out), copy.deepcopy(out)):
            assert dup.volatile and torch.equal(dup, expected) and repr(dup) == repr(expected)
        leaf = Variable(torch.ones(2), volatile=True).requires_grad_()
        leaf.grad = torch.full((2,), 7.0)
        deep = copy.deepcopy([leaf, leaf])
        assert deep[0] is deep[1] and deep[0].volatile and deep[0].requires_grad
        assert deep[0].data_ptr() != leaf.data_ptr()
        # .grad is copied as torch copies a plain tensor's (torch 1.7's __deepcopy__ drops it)
        plain = torch.ones(2).requires_grad_()
        plain.grad = torch.full((2,), 7.0)
        ref = copy.deepcopy(plain).grad
        assert (deep[0].grad is None) == (ref is None)
        assert ref is None or deep[0].grad.tolist() == ref.tolist() == [7.0, 7.0]


VOLATILE_SCRIPT = """\
    import torch
    from torch.autograd import Variable
    for x in (torch.ones(2), torch.tensor(0.25), torch.arange(6.0).view(2, 3)):
        v = Variable(x, volatile=True)
        print(v)
        print(x)
        print([v * 2], "{}".format(v))
        print([x * 2], "{}".format(x))
    """


@needs_volatile
def test_volatile_output_of_a_script(tmp_path, capsys, monkeypatch):
    """A script's output is the same with volatile Variables as with the plain tensors they wrap."""
    script = _write(tmp_path, "volatile.py", VOLATILE_SCRIPT)
    code, out, err = _run_here([script], tmp_path, capsys, monkeypatch)
    assert code == 0, err
    plain_script = _write(tmp_path, "plain.py", VOLATILE_SCRIPT.replace("Variable(x, volatile=True)", "x"))
    code, plain_out, err = _run_here([plain_script], tmp_path, capsys, monkeypatch)
    assert code == 0 and out.count("tensor(") == 16 and out == plain_out, (out, plain_out)


# -- tracebacks and exit codes as python's ------------------------------------------------------------


def _python(script, cwd, timeout=300):
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    proc = procs.run([sys.executable, script], cwd=str(cwd), capture_output=True, env=env, timeout=timeout)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


SCRIPTS = {
    "syntax": "x = 1\n\ndef f(:\n    pass\n",
    "indentation": "if True:\nprint('no indent')\n",
    "nested": (
        "def outer():\n"
        "    def inner(n):\n"
        "        return {'a': 1}[n]\n"
        "    return inner('b')\n"
        "\n"
        "print('before')\n"
        "outer()\n"
    ),
    "chained": (
        "def parse(s):\n"
        "    try:\n"
        "        return int(s)\n"
        "    except ValueError as exc:\n"
        "        raise RuntimeError('bad input %r' % s) from exc\n"
        "\n"
        "try:\n"
        "    1 / 0\n"
        "except ZeroDivisionError:\n"
        "    parse('x')\n"
    ),
    "imports_bad": "import bad_module_x\n",
    "exit3": "import sys\n\ndef leave():\n    sys.exit(3)\n\nleave()\n",
    "exit_message": "import sys\nsys.exit('stopping here')\n",
}


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_reports_as_python_script_does(name, tmp_path, capsys, monkeypatch):
    """Same stderr, stdout and exit status as ``python script.py`` (run beside it), SyntaxError carets included."""
    (tmp_path / "bad_module_x.py").write_text("def broken(:\n    pass\n")
    script = _write(tmp_path, name + ".py", SCRIPTS[name])
    expected = _python(script, tmp_path)
    got = _run_here([script], tmp_path, capsys, monkeypatch)
    assert got == expected
    assert LEGACY_DIR not in got[2] and "runpy" not in got[2]
    if name in ("syntax", "indentation"):
        assert got[0] == 1 and "Traceback" not in got[2] and set(got[2].rstrip().splitlines()[-2].strip()) == {"^"}


THROUGH_A_RESTORE = """\
    import torch

    def pick(t, i):
        return t[i]

    pick(torch.zeros(3), 5)
    """


def test_frames_of_the_restores_are_not_shown(tmp_path, capsys, monkeypatch):
    """An IndexError raised by torch inside a restore's wrapper (``Tensor.__getitem__``) reads as python's
    traceback, which has no frame of ours; ``TORCHCOMPAT_FULL_TRACEBACK=1`` shows them all."""
    script = _write(tmp_path, "pick.py", THROUGH_A_RESTORE)
    expected = _python(script, tmp_path)
    got = _run_here([script], tmp_path, capsys, monkeypatch)
    assert got == expected and "IndexError" in got[2]
    monkeypatch.setenv("TORCHCOMPAT_FULL_TRACEBACK", "1")
    code, out, err = _run_here([script], tmp_path, capsys, monkeypatch)
    assert code == 1 and os.path.join(LEGACY_DIR, "restores") in err and "runpy" in err


def test_a_hook_the_script_installs_reports_its_error(tmp_path, capsys, monkeypatch):
    script = _write(
        tmp_path,
        "hook.py",
        """\
        import sys
        def hook(kind, value, tb):
            print("hooked", kind.__name__, value, tb.tb_frame.f_code.co_filename == __file__)
        sys.excepthook = hook
        raise ValueError("seen by the hook")
        """,
    )
    code, out, err = _run_here([script], tmp_path, capsys, monkeypatch)
    assert (code, out, err) == (1, "hooked ValueError seen by the hook True\n", "")


def test_keyboard_interrupt_ends_the_process_as_python(tmp_path):
    """Printed once with the script's frames only, and the process ends as python's (killed by SIGINT:
    status -2 here, 130 in a shell; 1 before Python 3.8); --explain still reports."""
    script = _write(
        tmp_path,
        "interrupted.py",
        """\
        import atexit
        atexit.register(lambda: print("atexit ran"))

        def train():
            raise KeyboardInterrupt

        print("epoch 1")
        train()
        """,
    )
    expected = _python(script, tmp_path)
    got = _run(["--explain", script], tmp_path)
    assert got[0] == expected[0] and got[1] == expected[1] == "epoch 1\natexit ran\n"
    assert got[2].startswith(expected[2]) and got[2].count("\nKeyboardInterrupt\n") == 1
    assert got[2][len(expected[2]) :].startswith("torchcompat run --explain:")
    assert LEGACY_DIR not in got[2] and "runpy" not in got[2]


def test_an_unknown_restore_is_a_message_not_a_traceback(tmp_path, capsys, monkeypatch):
    script = _write(tmp_path, "ok.py", "print('ran')\n")
    argv, path0 = sys.argv[:], sys.path[0]
    code, out, err = _run_here(["--select", "volatile,no-such-restore", script], tmp_path, capsys, monkeypatch)
    assert (code, out) == (2, "") and err.startswith("torchcompat run: unknown restore 'no-such-restore'; known: ")
    assert "Traceback" not in err and "volatile" in err and (sys.argv, sys.path[0]) == (argv, path0)
