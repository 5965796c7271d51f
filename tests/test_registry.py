"""The shift registry, the lazy namespace, ``torchcompat info`` and import without torch."""

from __future__ import annotations

import json
import sys
import types

import pytest
import torch

import torchcompat as tc
from tests import fresh, procs
from torchcompat import cli
from torchcompat.registry import REGISTRY, STATUSES, Binding, UnsupportedError, declare, native, unavailable


def test_every_shift_is_complete():
    ids = [s.id for s in REGISTRY]
    assert len(ids) == len(set(ids)) >= 100
    for s in REGISTRY:
        assert s.id and s.area and s.summary, s.id
        assert s.strategy in ("alias", "backport", "legacy-restore", "codemod", "warn-only"), s.id
        for key, value in s.versions().items():
            assert value is None or value[0].isdigit(), (s.id, key, value)


def test_every_adapter_resolves_on_this_torch():
    b = Binding(torch)
    for name in REGISTRY.adapter_names():
        res = b.resolution(name)
        assert res.status in STATUSES, name
        assert res.obj is not None, name


def test_namespaces_are_torch_with_fixes():
    assert tc.nn.Linear is torch.nn.Linear
    assert tc.randn is torch.randn
    import torchcompat.nn.functional as F

    assert F.relu is torch.nn.functional.relu
    assert tc.nn.functional is F
    with pytest.raises(AttributeError, match="neither has torch"):
        tc.no_such_function_anywhere  # noqa: B018
    assert "no_grad" in dir(tc) and "variable" in dir(tc)


def test_names_resolve_once_then_are_plain_attributes():
    first = tc.no_grad
    assert "no_grad" in vars(tc)
    assert tc.no_grad is first


def test_unavailable_adapter_raises_naming_the_release():
    fake = types.ModuleType("fake_torch")
    fake.__version__ = "1.2.0"
    fake.__torchcompat_emulated__ = True
    shift = declare("testing")("test-unavailable-demo", "a demo shift for this test", added="9.9")
    try:

        @shift.adapter("_test_unavailable_demo")
        def _resolve(env):
            return unavailable("9.9", "needs a future feature")

        stub = Binding(fake).resolve("_test_unavailable_demo")
        with pytest.raises(UnsupportedError, match=r"needs torch >= 9\.9 .*this is torch 1\.2\.0"):
            stub()
    finally:
        del REGISTRY._shifts["test-unavailable-demo"]
        del REGISTRY._adapters["_test_unavailable_demo"]


def test_duplicate_declarations_are_refused():
    with pytest.raises(ValueError, match="declared twice"):
        declare("autograd")("ag-volatile", "again")
    shift = REGISTRY.get("ag-volatile")
    with pytest.raises(ValueError, match="declared by both"):
        shift.adapter("no_grad")(lambda env: native(None))


def _info(argv, capsys):
    """``torchcompat info ARGS`` through the console entry point, in this interpreter (a subprocess would cost an
    ``import torch``); its exit code and stdout."""
    capsys.readouterr()
    code = cli.main(["info"] + argv)
    return code, capsys.readouterr().out


def test_info_json_lists_every_shift(capsys):
    code, out = _info(["--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["torch_version"] == str(tc.TORCH_VERSION)
    assert data["build"]["kind"] in ("cpu", "cuda", "rocm")
    ids = {row["id"] for row in data["shifts"]}
    assert ids == {s.id for s in REGISTRY}
    by_id = {row["id"]: row for row in data["shifts"]}
    assert by_id["ag-volatile"]["adapters"]["no_grad"]["status"] == "native"
    for row in data["shifts"]:
        assert row["status"] in STATUSES + ("none",)


def test_info_text(capsys):
    code, text = _info([], capsys)
    assert code == 0
    assert text.startswith("torch %s" % tc.TORCH_VERSION)
    assert "ag-volatile" in text and "tc.no_grad: native" in text


NO_TORCH = "import sys; sys.modules['torch'] = None; "


def test_import_without_torch_fails_with_one_clear_sentence():
    # the binding is lazy (PEP 562): the first name looked up imports torch, and says so when it is missing
    proc = procs.run([sys.executable, "-c", NO_TORCH + "import torchcompat; torchcompat.no_grad"], capture_output=True)
    assert proc.returncode == 1
    last = proc.stderr.decode().strip().splitlines()[-1]
    assert last.startswith("ImportError: torchcompat needs PyTorch") and "pip install torch" in last


def test_submodules_import_without_torch():
    code = NO_TORCH + (
        "import torchcompat._release as r, torchcompat.registry as g, torchcompat.cli; "
        "print(r.parse('2.1.0a0+abc'), len(g.REGISTRY))"
    )
    proc = procs.run([sys.executable, "-c", code], capture_output=True)
    assert proc.returncode == 0, proc.stderr.decode()
    version, count = proc.stdout.decode().split()
    assert version == "2.1.0a0+abc" and int(count) >= 100


def test_namespace_import_as_first_import():
    assert fresh.fact("first_import") is True  # `import torchcompat.nn.functional` first in a fresh process
