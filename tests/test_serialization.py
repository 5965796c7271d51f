"""torchcompat.load / save / add_safe_globals / safe_globals / load_state_dict on the real torch.

The malicious corpus (tests/data/malicious, made by tests/data/make_*.py) must be refused by
``tc.load`` and by the restricted unpickler forced on any torch, and no payload may create its canary
file; a control test proves each live payload does create it under ``weights_only=False``. The
round-trip tests read files written by torch 1.0.1 / Python 3.7, by torch 1.4.0 / Python 2.7 and by
Python 2.7's pickler around an emulated torch (committed fixtures),
and have torch 1.0.1 read files written here with ``legacy_format=True`` (subprocess, skipped with a
reason when venv t1.0 of tests/places.py is absent).
"""

from __future__ import annotations

import argparse
import collections
import importlib
import io
import json
import os
import pickle
import sys
import time
import warnings
import zipfile

import pytest
import torch

import torchcompat as tc
from tests import places, procs
from torchcompat import version
from torchcompat.registry import UnsupportedError
from torchcompat.shifts import serialization as ser

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
MALICIOUS = os.path.join(DATA, "malicious")
CANARY = "TC_CANARY"
TORCH10_PYTHON = places.T10_PYTHON

with open(os.path.join(MALICIOUS, "manifest.json")) as _f:
    MANIFEST = json.load(_f)
CORPUS = sorted(MANIFEST)
ENV = tc._bind().env
NATIVE = ser.native_weights_only(ENV)


def _py_at_least(text):
    return sys.version_info[:2] >= tuple(int(p) for p in text.split("."))


def _kw(name):
    entry = MANIFEST[name]
    return {"encoding": entry["encoding"]} if entry.get("encoding") else {}


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    assert not (tmp_path / CANARY).exists()


@pytest.fixture
def fresh_globals():
    """Leave the allowlist as it was (tc's own, and torch's where tc delegates to it)."""
    before = list(tc.get_safe_globals())
    yield
    tc.clear_safe_globals()
    tc.add_safe_globals(before)


# ----------------------------------------------------------------------------------------------------
# The malicious corpus
# ----------------------------------------------------------------------------------------------------
def test_corpus_covers_the_required_kinds():
    assert len(CORPUS) >= 15
    descs = " ".join(MANIFEST[n]["desc"] for n in CORPUS)
    for needed in (
        "protocol 0",
        "protocol 1",
        "protocol 2",
        "protocol 3",
        "protocol 4",
        "protocol 5",
        "Python 2",
        "zip checkpoint",
        "state_dict",
        "getattr",
        "importlib",
        "subprocess",
        "eval",
        "exec",
        "_rebuild_tensor",
        "_load_from_bytes",
        "torch 1.0.1",
    ):
        assert needed in descs, needed


READS_ZIP = version.at_least("1.6")  # 1.4/1.5 cannot read the corpus zips that hold a version-3 record
ZIP_DEFAULT = ser.writes_zip_by_default(ENV)


def _is_zip(name):
    return zipfile.is_zipfile(os.path.join(MALICIOUS, name))


@pytest.mark.parametrize("name", CORPUS)
def test_corpus_refused_by_tc_load(name, in_tmp):
    entry = MANIFEST[name]
    with pytest.raises(Exception) as info:
        tc.load(os.path.join(MALICIOUS, name), **_kw(name))
    assert not (in_tmp / CANARY).exists()
    if _is_zip(name) and not ENV.accepts("save", "_use_new_zipfile_serialization"):
        assert isinstance(info.value, pickle.UnpicklingError) and "zip checkpoint" in str(info.value)
    elif _is_zip(name) and not READS_ZIP and not isinstance(info.value, tc.UnsafeLoadError):
        # torch 1.4/1.5 read some zips (1.5 those without a version-3 record) and refuse the others
        # unread: "file with version 3", nothing unpickled
        assert "version" in str(info.value)
    elif entry["refused"] and _py_at_least(entry["min_python"]):
        assert isinstance(info.value, tc.UnsafeLoadError), repr(info.value)
        if info.value.name is not None:  # torch >= 2.10 names some refusals only by opcode
            assert info.value.name == entry["refused"]
        if not NATIVE:
            assert info.value.name == entry["refused"]
            assert "weights_only=False" in str(info.value)


@pytest.mark.parametrize("name", CORPUS)
def test_corpus_refused_by_restricted_unpickler(name, in_tmp):
    """The restricted unpickler that tc.load uses below torch 2.10, forced on this torch."""
    entry = MANIFEST[name]
    if _is_zip(name) and not READS_ZIP:
        with pytest.raises(Exception, match="zip checkpoint|version|refused") as info:
            ser.restricted_load(ENV, os.path.join(MALICIOUS, name), **_kw(name))
        assert not (in_tmp / CANARY).exists()
        if isinstance(info.value, tc.UnsafeLoadError):  # a zip this release can read: refused by name
            assert info.value.name == entry["refused"] or not entry["refused"]
        return
    if not _py_at_least(entry["min_python"]):
        with pytest.raises(ValueError, match="protocol"):
            ser.restricted_load(ENV, os.path.join(MALICIOUS, name), **_kw(name))
        return
    with pytest.raises(tc.UnsafeLoadError) as info:
        ser.restricted_load(ENV, os.path.join(MALICIOUS, name), **_kw(name))
    assert info.value.name == entry["refused"]
    if entry["refused"]:
        assert "`%s`" % entry["refused"] in str(info.value)


def _live_here(entry):
    return _py_at_least(entry["min_python"]) and version.at_least(entry["live_torch"])


@pytest.mark.parametrize("name", [n for n in CORPUS if MANIFEST[n]["live"]])
def test_corpus_payloads_are_live(name, tmp_path, monkeypatch):
    """Control: the same file does run its payload when loading is unrestricted (weights_only=False)."""
    entry = MANIFEST[name]
    if not _live_here(entry):
        pytest.skip("payload needs torch >= %s / Python >= %s to run" % (entry["live_torch"], entry["min_python"]))
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            tc.load(os.path.join(MALICIOUS, name), weights_only=False, **_kw(name))
        except Exception:
            pass  # most payloads are not valid checkpoints: they run, then loading fails
    deadline = time.time() + 10  # subprocess.Popen returns before its child has run
    while not (tmp_path / CANARY).exists() and time.time() < deadline:
        time.sleep(0.05)
    assert (tmp_path / CANARY).exists()


def test_force_no_weights_only_env_does_not_weaken_tc_load(in_tmp, monkeypatch):
    monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")
    with pytest.raises(tc.UnsafeLoadError):
        tc.load(os.path.join(MALICIOUS, "p2_eval.pkl"))


# ----------------------------------------------------------------------------------------------------
# Allowlist, errors, warnings
# ----------------------------------------------------------------------------------------------------
def _saved(obj, **kw):
    buf = io.BytesIO()
    tc.save(obj, buf, **kw)
    return buf.getvalue()


LOADERS = {
    "tc.load": lambda data, **kw: tc.load(io.BytesIO(data), **kw),
    "restricted": lambda data, **kw: ser.restricted_load(ENV, io.BytesIO(data), **kw),
}


@pytest.mark.parametrize("loader", sorted(LOADERS))
def test_refusal_names_global_and_exact_call(loader, fresh_globals):
    data = _saved({"args": argparse.Namespace(lr=0.1)})
    with pytest.raises(tc.UnsafeLoadError) as info:
        LOADERS[loader](data)
    message = str(info.value)
    assert info.value.name == "argparse.Namespace"
    assert "add_safe_globals([argparse.Namespace])" in message
    assert "weights_only=False" in message


@pytest.mark.parametrize("loader", sorted(LOADERS))
@pytest.mark.parametrize("protocol", [1, 2])
def test_add_safe_globals_allows_a_class(loader, protocol, fresh_globals):
    data = _saved({"args": argparse.Namespace(lr=0.1, name="x")}, pickle_protocol=protocol, legacy_format=True)
    with pytest.raises(tc.UnsafeLoadError):
        LOADERS[loader](data)
    tc.add_safe_globals([argparse.Namespace])
    assert LOADERS[loader](data) == {"args": argparse.Namespace(lr=0.1, name="x")}


@pytest.mark.parametrize("loader", sorted(LOADERS))
def test_safe_globals_context_manager_is_scoped(loader, fresh_globals):
    data = _saved({"args": argparse.Namespace(lr=0.5)})
    with tc.safe_globals([argparse.Namespace]):
        assert LOADERS[loader](data)["args"].lr == 0.5
    with pytest.raises(tc.UnsafeLoadError):
        LOADERS[loader](data)


def test_safe_globals_accepts_the_name_form(fresh_globals):
    data = _saved({"args": argparse.Namespace(lr=0.5)})
    with tc.safe_globals([(argparse.Namespace, "argparse.Namespace")]):
        assert tc.load(io.BytesIO(data))["args"].lr == 0.5


def test_blocked_globals_stay_refused_even_when_allowlisted(fresh_globals, in_tmp):
    with tc.safe_globals([os.system]):
        with pytest.raises(tc.UnsafeLoadError) as info:
            ser.restricted_load(ENV, os.path.join(MALICIOUS, "p2_eval.pkl"))
    assert "never allowed" in str(info.value)


def test_tc_allowlist_reaches_torch_load_where_torch_has_one(fresh_globals):
    """Code that calls torch.load(weights_only=True) itself (torchcompat.legacy does) sees tc's allowlist."""
    if not hasattr(torch.serialization, "safe_globals"):
        pytest.skip("torch < 2.5 has no allowlist of its own")
    data = _saved({"args": argparse.Namespace(lr=0.5)})
    with tc.safe_globals([argparse.Namespace]):
        assert torch.load(io.BytesIO(data), weights_only=True)["args"].lr == 0.5
    with pytest.raises(pickle.UnpicklingError):
        torch.load(io.BytesIO(data), weights_only=True)
    tc.add_safe_globals([argparse.Namespace])
    assert torch.load(io.BytesIO(data), weights_only=True)["args"].lr == 0.5


@pytest.mark.parametrize("loader", sorted(LOADERS))
def test_numeric_numpy_arrays_with_an_allowlist(loader, fresh_globals):
    numpy = pytest.importorskip("numpy")
    array = numpy.arange(6, dtype=numpy.float32).reshape(2, 3)
    data = _saved({"a": array, "s": numpy.float64(2.5)})
    with pytest.raises(tc.UnsafeLoadError):
        LOADERS[loader](data)
    major = int(numpy.__version__.split(".")[0])
    multiarray = importlib.import_module("numpy._core.multiarray" if major >= 2 else "numpy.core.multiarray")
    allow = [numpy.ndarray, numpy.dtype, type(numpy.dtype("float32")), type(numpy.dtype("float64"))]
    for name in ("numpy.core.multiarray", "numpy._core.multiarray"):
        allow += [(multiarray._reconstruct, name + "._reconstruct"), (multiarray.scalar, name + ".scalar")]
    with tc.safe_globals(allow):
        got = LOADERS[loader](data)
    assert isinstance(got["a"], numpy.ndarray) and got["a"].dtype == numpy.float32
    numpy.testing.assert_array_equal(got["a"], array)
    assert got["s"] == numpy.float64(2.5) and type(got["s"]) is numpy.float64


class _MyTensor(torch.Tensor):
    pass


@pytest.mark.parametrize("loader", sorted(LOADERS))
def test_tensor_subclass_needs_the_allowlist(loader, fresh_globals):
    if not hasattr(torch.Tensor, "as_subclass") or not version.at_least("1.12"):
        pytest.skip("torch < 1.12 does not pickle tensor subclasses through _rebuild_from_type_v2")
    data = _saved({"t": torch.arange(3.0).as_subclass(_MyTensor)})
    with pytest.raises(tc.UnsafeLoadError) as info:
        LOADERS[loader](data)
    assert info.value.name == _MyTensor.__module__ + "._MyTensor"
    with tc.safe_globals([_MyTensor]):
        got = LOADERS[loader](data)["t"]
    assert type(got) is _MyTensor and torch.equal(got.as_subclass(torch.Tensor), torch.arange(3.0))


def test_unchecked_rebuild_functions_get_their_own_message():
    data = (
        _saved({"q": torch.quantize_per_tensor(torch.ones(2), 0.1, 0, torch.qint8)})
        if hasattr(torch, "quantize_per_tensor")
        else None
    )
    if data is None:
        pytest.skip("torch < 1.3 has no quantized tensors")
    with pytest.raises(tc.UnsafeLoadError) as info:
        ser.restricted_load(ENV, io.BytesIO(data))
    assert info.value.name == "torch._utils._rebuild_qtensor"
    assert "does not check" in str(info.value) and "add_safe_globals" not in str(info.value)


@pytest.mark.parametrize("surface", ["torch03", "torch04"])
def test_adapters_resolve_on_emulated_old_surfaces(surface):
    """Emulated 0.3/0.4 surfaces (tests/emulated.py): resolving never fails; without torch.load, tc.load is
    unavailable and says so."""
    from tests import emulated

    fake = getattr(emulated, surface)()
    binding = tc.bind(fake)._tc_binding
    names = ["load", "save", "add_safe_globals", "safe_globals", "get_safe_globals", "clear_safe_globals"]
    for name in names + ["load_state_dict", "UnsafeLoadError"]:
        assert binding.status(name) in ("backported", "unavailable")
    if not hasattr(fake, "load"):
        with pytest.raises(UnsupportedError, match="torch.load is missing"):
            binding.resolve("load")("x.pt")


class _StubEnv:
    def __init__(self, release, has_globals):
        self.release, self.has_globals = release, has_globals

    def has(self, path):
        return self.has_globals

    def at_least(self, minimum):
        return self.release >= tuple(int(p) for p in minimum.split("."))


@pytest.mark.parametrize(
    "release,has_globals,expected",
    [
        ((1, 13), False, False),
        ((2, 4), True, False),
        ((2, 9), True, False),
        ((2, 10), True, True),
        ((2, 15), True, True),
    ],
)
def test_native_weights_only_threshold(release, has_globals, expected):
    """Stub env: torch's weights-only unpickler is used only from 2.10 (CVE-2025-32434, CVE-2026-24747)."""
    assert ser.native_weights_only(_StubEnv(release, has_globals)) is expected


def test_native_where_sound():
    if NATIVE:
        assert version.at_least(ser.NATIVE_WEIGHTS_ONLY_FROM)
        assert tc.add_safe_globals is torch.serialization.add_safe_globals
        assert tc.safe_globals is torch.serialization.safe_globals
        assert tc.get_safe_globals is torch.serialization.get_safe_globals
    else:
        assert tc.add_safe_globals is not getattr(torch.serialization, "add_safe_globals", None)
        assert tc._bind().status("add_safe_globals") == "backported"
    assert tc._bind().status("load") == "backported"  # the default and the error differ from torch.load


def test_weights_only_false_must_be_explicit_and_warns_once(monkeypatch):
    monkeypatch.setattr(ser, "_WARNED_UNSAFE", False)
    data = _saved({"args": argparse.Namespace(lr=1.0)})
    with pytest.warns(ser.UnsafeLoadWarning):
        assert tc.load(io.BytesIO(data), weights_only=False)["args"].lr == 1.0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tc.load(io.BytesIO(data), weights_only=False)
    assert not [w for w in caught if issubclass(w.category, ser.UnsafeLoadWarning)]
    with pytest.raises(TypeError):
        tc.load(io.BytesIO(data), weights_only=None)
    with pytest.raises(ValueError, match="pickle_module"):
        tc.load(io.BytesIO(data), pickle_module=pickle)


# ----------------------------------------------------------------------------------------------------
# Benign files: both paths agree with an unrestricted torch.load
# ----------------------------------------------------------------------------------------------------
def _benign():
    base = torch.arange(12, dtype=torch.float64)
    net = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    return {
        "sd": net.state_dict(),
        "epoch": 3,
        "lr": 0.25,
        "names": ["a", "b"],
        "shape": (2, 3),
        "set": {1, 2},
        "none": None,
        "raw": b"\x00\xff",
        "complex": 1 + 2j,
        "int": torch.arange(6).view(2, 3),
        "u8": torch.tensor([0, 255], dtype=torch.uint8),
        "view": base[2:6],
        "base": base,
        "t": base.view(3, 4).t(),
        "param": torch.nn.Parameter(torch.ones(2)),
        "scalar": torch.tensor(1.5),
        "empty": torch.zeros(0, 3),
        "size": torch.Size([2, 3]),
        "device": torch.device("cpu"),
    }


def _same(a, b):
    if isinstance(a, torch.Tensor):
        return (
            type(a) is type(b)
            and a.dtype == b.dtype
            and a.shape == b.shape
            and a.stride() == b.stride()
            and torch.equal(a, b)
        )
    if isinstance(a, dict):
        return type(a) is type(b) and list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("loader", sorted(LOADERS))
@pytest.mark.parametrize("legacy", [False, True])
def test_benign_checkpoint_loads_like_unrestricted_torch_load(loader, legacy):
    data = _saved(_benign(), legacy_format=legacy)
    kw = {"weights_only": False} if ENV.accepts("load", "weights_only") else {}
    expected = torch.load(io.BytesIO(data), **kw)
    got = LOADERS[loader](data)
    assert _same(got, expected)
    assert got["sd"]._metadata == expected["sd"]._metadata
    got["view"][0] = 100.0  # views still share their storage
    assert got["base"][2].item() == 100.0
    loaded = LOADERS[loader](data, map_location=lambda storage, loc: storage)
    assert _same(loaded["int"], expected["int"])


def test_dtype_pickles_after_importing_torchcompat():
    # torch 1.x dtypes have no __module__: pickle.whichmodule() must find them on torch, never on
    # the torchcompat namespace that falls through to torch (under pytest torchcompat is imported first).
    tc.load  # noqa: B018 - the namespace is bound
    assert pickle.loads(pickle.dumps(torch.float32, 2)) is torch.float32
    data = _saved({"dtypes": [torch.float64, torch.int8]})
    for loader in LOADERS.values():
        assert loader(data) == {"dtypes": [torch.float64, torch.int8]}


def test_torchscript_archives_are_refused():
    if not hasattr(torch.jit, "save"):
        pytest.skip("no torch.jit.save on this torch")
    buf = io.BytesIO()
    torch.jit.save(torch.jit.trace(torch.nn.Linear(2, 2), torch.ones(1, 2)), buf)
    with pytest.raises(tc.UnsafeLoadError, match="TorchScript"):
        ser.restricted_load(ENV, io.BytesIO(buf.getvalue()))
    with pytest.raises((tc.UnsafeLoadError, RuntimeError), match="TorchScript"):
        tc.load(io.BytesIO(buf.getvalue()))


def test_restricted_path_checks_zip_record_sizes_only_when_they_differ():
    if not ENV.accepts("save", "_use_new_zipfile_serialization"):
        pytest.skip("torch < 1.4 writes no zip checkpoints")
    data = _saved({"w": torch.arange(5.0)}, _use_new_zipfile_serialization=True)
    assert zipfile.is_zipfile(io.BytesIO(data))
    assert torch.equal(ser.restricted_load(ENV, io.BytesIO(data))["w"], torch.arange(5.0))


# ----------------------------------------------------------------------------------------------------
# Old files: torch 1.0.1 / Python 3.7 and Python 2.7
# ----------------------------------------------------------------------------------------------------
with open(os.path.join(DATA, "t1.0", "expected.json")) as _f:
    T10 = json.load(_f)


def _check_values(tensor, spec):
    assert str(tensor.dtype) == spec["dtype"]
    assert list(tensor.shape) == spec["shape"]
    assert tensor.tolist() == spec["values"]


@pytest.mark.parametrize("loader", sorted(LOADERS))
def test_reads_state_dict_written_by_torch_1_0(loader):
    with open(os.path.join(DATA, "t1.0", "state_dict.pt"), "rb") as f:
        sd = LOADERS[loader](f.read())
    assert list(sd) == T10["state_dict_keys"]
    for key, spec in T10["state_dict"].items():
        _check_values(sd[key], spec)
    assert {k: dict(v) for k, v in sd._metadata.items()} == T10["metadata"]


@pytest.mark.parametrize("loader", sorted(LOADERS))
def test_reads_checkpoint_written_by_torch_1_0(loader):
    with open(os.path.join(DATA, "t1.0", "checkpoint.pt"), "rb") as f:
        ckpt = LOADERS[loader](f.read())
    exp = T10["checkpoint"]
    for key in ("int64", "uint8", "float16", "base", "view", "transposed", "param", "scalar"):
        _check_values(ckpt[key], exp[key])
    for key, spec in exp["model"].items():
        _check_values(ckpt["model"][key], spec)
    assert isinstance(ckpt["param"], torch.nn.Parameter) and ckpt["param"].requires_grad
    assert ckpt["transposed"].stride() == (1, 4)
    assert (ckpt["epoch"], ckpt["best"], ckpt["names"], ckpt["shape"]) == (5, 0.875, ["conv", "bn"], (3, 4))
    assert ckpt["raw"] == bytes(exp["raw"]["bytes"])
    ckpt["view"][0] = -1.0
    assert ckpt["base"][2].item() == -1.0
    momentum = [s["momentum_buffer"] for s in ckpt["optimizer"]["state"].values()]
    got = sorted(json.dumps(m.tolist()) for m in momentum)
    assert got == sorted(json.dumps(s["values"]) for s in T10["optimizer_momentum"])
    assert len(got) == 4
    groups = [{k: v for k, v in g.items() if k != "params"} for g in ckpt["optimizer"]["param_groups"]]
    assert groups == T10["optimizer_param_groups"]


def test_whole_model_from_torch_1_0_is_refused_with_the_class_name(fresh_globals):
    with pytest.raises(tc.UnsafeLoadError) as info:
        tc.load(os.path.join(DATA, "t1.0", "whole_model.pt"))
    assert info.value.name == "torch.nn.modules.container.Sequential"
    assert "add_safe_globals([torch.nn.modules.container.Sequential])" in str(info.value)


@pytest.mark.parametrize("loader", sorted(LOADERS))
def test_reads_python2_checkpoint_with_latin1(loader):
    with open(os.path.join(DATA, "py2", "py2_checkpoint.json")) as f:
        exp = json.load(f)
    with open(os.path.join(DATA, "py2", "py2_checkpoint.pt"), "rb") as f:
        data = f.read()
    ckpt = LOADERS[loader](data, encoding="latin1")
    for key in ("fc.weight", "fc.bias", "fc.weight_t"):
        assert ckpt["state_dict"][key].tolist() == exp[key]
    assert ckpt["state_dict"]["fc.bias"].dtype == torch.float64
    assert ckpt["steps"].tolist() == exp["steps"] and ckpt["steps"].dtype == torch.int64
    assert (ckpt["epoch"], ckpt["name"], ckpt["unicode_key"], ckpt["lr"]) == (
        exp["epoch"],
        exp["name"],
        exp["unicode_key"],
        exp["lr"],
    )
    ckpt["state_dict"]["fc.weight"][0, 1] = 9.0  # the transposed view shares the storage
    assert ckpt["state_dict"]["fc.weight_t"][1, 0].item() == 9.0


@pytest.mark.parametrize("loader", sorted(LOADERS))
def test_reads_checkpoint_written_by_torch_under_python2(loader):
    """Written by a real torch (1.4.0, cp27) under Python 2.7: legacy format, Python 2 str/long/unicode."""
    with open(os.path.join(DATA, "py2", "py2_torch_checkpoint.json")) as f:
        exp = json.load(f)
    with open(os.path.join(DATA, "py2", "py2_torch_checkpoint.pt"), "rb") as f:
        ckpt = LOADERS[loader](f.read(), encoding="latin1")
    assert list(ckpt["state_dict"]) == exp["keys"]
    for key, values in exp["state_dict"].items():
        assert ckpt["state_dict"][key].tolist() == values
    assert (ckpt["epoch"], ckpt["name"], ckpt["title"]) == (exp["epoch"], exp["name"], exp["title"])
    assert ckpt["view"].tolist() == exp["view"] and ckpt["ints"].tolist() == exp["ints"]
    ckpt["view"][0] = 42.0
    assert ckpt["base"][1].item() == 42.0
    net = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    tc.load_state_dict(net, ckpt["state_dict"])
    assert net[1].running_mean.tolist() == exp["state_dict"]["1.running_mean"]


def test_python2_checkpoint_without_encoding_says_latin1():
    with pytest.raises(pickle.UnpicklingError, match="latin1"):
        tc.load(os.path.join(DATA, "py2", "py2_checkpoint.pt"))


def test_legacy_format_is_not_zip():
    legacy = _saved({"w": torch.ones(2)}, legacy_format=True)
    assert not zipfile.is_zipfile(io.BytesIO(legacy))
    assert zipfile.is_zipfile(io.BytesIO(_saved({"w": torch.ones(2)}))) == ZIP_DEFAULT
    assert ZIP_DEFAULT == version.at_least("1.6")


READER = r"""
import json, sys, torch
import torchcompat as tc
out = {}
for label, load in (("torch", torch.load), ("tc", tc.load)):
    try:
        obj = load(sys.argv[1])
        out[label] = {k: [str(v.dtype), v.tolist()] for k, v in obj["sd"].items()}
        out[label]["epoch"] = obj["epoch"]
        out[label]["shared"] = obj["view"].storage().data_ptr() == obj["base"].storage().data_ptr()
    except Exception as exc:
        out[label] = "%s: %s" % (type(exc).__name__, exc)
print(json.dumps(out))
"""


@pytest.mark.skipif(not os.path.exists(TORCH10_PYTHON), reason="no torch 1.0.1 interpreter at %s" % TORCH10_PYTHON)
def test_torch_1_0_reads_legacy_format_written_here(tmp_path):
    net = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    base = torch.arange(6.0)
    obj = {"sd": net.state_dict(), "epoch": 7, "base": base, "view": base[1:4]}
    path = str(tmp_path / "legacy.pt")
    tc.save(obj, path, legacy_format=True)
    env = dict(os.environ, PYTHONPATH=os.path.dirname(HERE))
    run = procs.run([TORCH10_PYTHON, "-c", READER, path], capture_output=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr.decode()
    result = json.loads(run.stdout.decode().strip().splitlines()[-1])
    expected = {k: [str(v.dtype), v.tolist()] for k, v in obj["sd"].items()}
    expected.update(epoch=7, shared=True)
    assert result["torch"] == expected
    assert result["tc"] == expected
    if ZIP_DEFAULT:  # the default (zip) format is unreadable there
        zpath = str(tmp_path / "zip.pt")
        tc.save(obj, zpath)
        run = procs.run([TORCH10_PYTHON, "-c", READER, zpath], capture_output=True, env=env, timeout=300)
        assert isinstance(json.loads(run.stdout.decode().strip().splitlines()[-1])["torch"], str)


# ----------------------------------------------------------------------------------------------------
# load_state_dict
# ----------------------------------------------------------------------------------------------------
def _net(seed):
    torch.manual_seed(seed)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2))
    net.train()
    net(torch.randn(3, 1, 5, 5))
    return net


class _Wrapper(torch.nn.Module):
    """What torch.compile's OptimizedModule does to state_dict keys (``_orig_mod.`` prefix)."""

    def __init__(self, inner):
        super().__init__()
        self._orig_mod = inner


def _assert_loaded(target, source):
    for (k1, v1), (k2, v2) in zip(target.state_dict().items(), source.state_dict().items()):
        assert k1 == k2 and torch.equal(v1, v2), k1


@pytest.mark.parametrize("wrap", ["dataparallel", "orig_mod", "both", "compile"])
def test_load_state_dict_strips_wrapper_prefixes(wrap):
    src = _net(0)
    if wrap == "dataparallel":
        sd = torch.nn.DataParallel(src).state_dict()
    elif wrap == "orig_mod":
        sd = _Wrapper(src).state_dict()
    elif wrap == "both":
        sd = torch.nn.DataParallel(_Wrapper(src)).state_dict()
    else:
        if not hasattr(torch, "compile"):
            pytest.skip("torch.compile needs torch >= 2.0")
        try:
            sd = torch.compile(src).state_dict()
        except RuntimeError as exc:  # torch 2.0 on Python 3.11: "Python 3.11+ not yet supported"
            pytest.skip("torch.compile is unavailable here: %s" % exc)
    assert all(k.startswith(("module.", "_orig_mod.")) for k in sd)
    dst = _net(1)
    with pytest.raises(RuntimeError):
        dst.load_state_dict(sd)  # what torch does on its own
    result = tc.load_state_dict(dst, sd)
    _assert_loaded(dst, src)
    assert result == _net(2).load_state_dict(src.state_dict())


def test_load_state_dict_reads_torch_1_0_dataparallel_file():
    sd = tc.load(os.path.join(DATA, "t1.0", "dataparallel_state_dict.pt"))
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 2, 3),
        torch.nn.BatchNorm2d(2),
        torch.nn.ReLU(),
        torch.nn.Flatten() if hasattr(torch.nn, "Flatten") else torch.nn.ReLU(),
    )
    tc.load_state_dict(net, sd)
    for key, spec in T10["state_dict"].items():
        _check_values(net.state_dict()[key], spec)


def test_load_state_dict_keeps_a_prefix_the_module_uses():
    class Holder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.module = torch.nn.Linear(2, 2)

    src, dst = Holder(), Holder()
    tc.load_state_dict(dst, src.state_dict())
    _assert_loaded(dst, src)


def test_load_state_dict_fills_batchnorm_num_batches_tracked():
    src = _net(0)
    sd = src.state_dict()
    old = collections.OrderedDict((k, v) for k, v in sd.items() if not k.endswith("num_batches_tracked"))
    old._metadata = sd._metadata  # versions say >= 2, so torch does not fill the key itself
    dst = _net(1)
    with pytest.raises(RuntimeError, match="num_batches_tracked"):
        dst.load_state_dict(old)
    tc.load_state_dict(dst, old)
    assert dst[1].num_batches_tracked.item() == 0
    assert torch.equal(dst[1].running_mean, src[1].running_mean)
    plain = {"module." + k: v for k, v in old.items()}  # pre-0.4.1 file saved from DataParallel
    dst2 = _net(3)
    tc.load_state_dict(dst2, plain)
    assert torch.equal(dst2[1].running_var, src[1].running_var)
    # BatchNorm at any depth, or the module itself; a buffer that only ends like "running_mean" is not BN state
    for bn in (torch.nn.BatchNorm1d(3), torch.nn.Sequential(torch.nn.Sequential(torch.nn.BatchNorm1d(3)))):
        full = bn.state_dict()
        state = collections.OrderedDict((k, v) for k, v in full.items() if "num_batches" not in k)
        state._metadata = full._metadata
        with pytest.raises(RuntimeError, match="num_batches_tracked"):
            bn.load_state_dict(state)
        tc.load_state_dict(bn, state)
    holder = torch.nn.Module()
    holder.register_buffer("xrunning_mean", torch.zeros(1))
    with pytest.raises(RuntimeError, match="xnum_batches_tracked"):
        tc.load_state_dict(holder, {"xrunning_mean": torch.zeros(1), "xnum_batches_tracked": torch.zeros(1)})


def test_load_state_dict_strict_false_reports_like_torch():
    src = _net(0)
    sd = {"module." + k: v for k, v in src.state_dict().items() if not k.startswith("0.")}
    dst = _net(1)
    result = tc.load_state_dict(dst, sd, strict=False)
    expected = _net(2).load_state_dict({k[len("module.") :]: v for k, v in sd.items()}, strict=False)
    assert result == expected
    with pytest.raises(RuntimeError):
        tc.load_state_dict(_net(4), sd)


def test_pickle_module_bypass_of_torch_1_13_is_detected():
    """torch 1.13's load swaps any pickle_module for stdlib pickle when weights_only=False (2.0 fixed it):
    the probe must see that, or the restricted unpickler would be silently skipped on 1.13."""
    honoured = ser._load_honours_pickle_module(ENV)
    assert honoured == (not (version.at_least("1.13") and not version.at_least("2.0")))


# ----------------------------------------------------------------------------------------------------
# Files that are not checkpoints: one error type on every release, naming the file
# ----------------------------------------------------------------------------------------------------
NOT_A_CHECKPOINT = "not a torch checkpoint or corrupted"


def _load_trusted(f, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # UnsafeLoadWarning, torch's own FutureWarnings
        return tc.load(f, weights_only=False, **kw)


INVALID_LOADERS = {
    "tc.load": lambda f: tc.load(f),
    "tc.load(weights_only=False)": _load_trusted,
    "restricted": lambda f: ser.restricted_load(ENV, f),
}


def _random_bytes(seed):
    import random

    rnd = random.Random(seed)
    n = rnd.choice([1, 2, 3, 8, 64, 500, 4096])
    return bytes(rnd.getrandbits(8) for _ in range(n))


def _assert_invalid(info, name):
    """The one error: an UnpicklingError subclass (not a refusal) naming the file, the original chained."""
    error = info.value
    assert type(error) is tc.InvalidCheckpointError, repr(error)
    assert isinstance(error, pickle.UnpicklingError) and not isinstance(error, tc.UnsafeLoadError)
    assert NOT_A_CHECKPOINT in str(error)
    assert error.filename == name and name in str(error)
    assert isinstance(error.__cause__, Exception) and not isinstance(error.__cause__, tc.InvalidCheckpointError)
    assert error.reason and error.reason in str(error)


@pytest.mark.parametrize("loader", sorted(INVALID_LOADERS))
def test_random_bytes_are_invalid_checkpoints(loader):
    """200 seeded random files of 1 to 4096 bytes (before: KeyError, IndexError, struct.error, ValueError,
    UnicodeDecodeError, bare UnpicklingError, and UnsafeLoadError when the bytes began with EXT1)."""
    causes = collections.Counter()
    for seed in range(200):
        with pytest.raises(Exception) as info:
            INVALID_LOADERS[loader](io.BytesIO(_random_bytes(seed)))
        _assert_invalid(info, "<bytes buffer>")
        causes[type(info.value.__cause__).__name__] += 1
    assert sum(causes.values()) == 200


def test_random_bytes_by_path_and_file_object(tmp_path):
    for seed in range(20):
        path = str(tmp_path / ("garbage%d.pt" % seed))
        with open(path, "wb") as fh:
            fh.write(_random_bytes(seed))
        for loader in sorted(INVALID_LOADERS):
            with pytest.raises(Exception) as info:
                INVALID_LOADERS[loader](path)
            _assert_invalid(info, path)
            with open(path, "rb") as fh:
                with pytest.raises(Exception) as info:
                    INVALID_LOADERS[loader](fh)
            _assert_invalid(info, path)  # a file object is named by its .name


@pytest.mark.parametrize("loader", sorted(INVALID_LOADERS))
def test_empty_file(loader, tmp_path):
    """Zero bytes (before: EOFError with an empty message)."""
    path = str(tmp_path / "empty.pt")
    open(path, "wb").close()
    import pathlib

    for source, name in ((path, path), (pathlib.Path(path), path), (io.BytesIO(b""), "<bytes buffer>")):
        with pytest.raises(Exception) as info:
            INVALID_LOADERS[loader](source)
        _assert_invalid(info, name)
        assert "empty" in str(info.value)


def _hand_made_zip():
    """A zip checkpoint laid out as torch >= 1.6 writes one (no tensors), for torch releases that cannot write it."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("archive/data.pkl", pickle.dumps({"epoch": 3, "names": ["a", "b"]}, protocol=2))
        zf.writestr("archive/version", "3\n")
    return buf.getvalue()


def _checkpoints():
    obj = {"w": torch.arange(4.0), "n": torch.ones(2, dtype=torch.int64), "epoch": 3}
    found = {"legacy": _saved(obj, legacy_format=True)}
    if ENV.accepts("save", "_use_new_zipfile_serialization"):
        found["zip"] = _saved(obj, _use_new_zipfile_serialization=True)
    else:
        found["zip"] = _hand_made_zip()  # torch < 1.4 writes no zip; the truncated bytes are what matter
    return found


@pytest.mark.parametrize("fmt", ["legacy", "zip"])
@pytest.mark.parametrize("loader", sorted(INVALID_LOADERS))
def test_truncated_checkpoints(fmt, loader):
    """Every prefix of a real checkpoint (legacy: every offset; zip: every 3rd and the last 64) is invalid."""
    data = _checkpoints()[fmt]
    if fmt == "legacy" or READS_ZIP:
        INVALID_LOADERS[loader](io.BytesIO(data))  # the whole file loads
    offsets = (
        range(len(data))
        if fmt == "legacy"
        else sorted(set(range(0, len(data), 3)) | set(range(len(data) - 64, len(data))))
    )
    reasons = collections.Counter()
    for n in offsets:
        with pytest.raises(Exception) as info:
            INVALID_LOADERS[loader](io.BytesIO(data[:n]))
        _assert_invalid(info, "<bytes buffer>")
        reasons[info.value.reason] += 1
    if fmt == "legacy":  # cut inside each pickle, and inside the storage data
        assert any("inside pickle 4 of 5" in r for r in reasons), reasons
        assert any("the data of storage" in r for r in reasons), reasons
        assert any("inside pickle 1 of 5" in r for r in reasons), reasons


def test_invalid_checkpoint_holds_no_half_read_tensors():
    """The chained error keeps its traceback but not the locals of torch's finished frames: they held the half-read
    storages (and on torch 1.0 freeing such a storage late, after other loads, aborted the process)."""
    data = _checkpoints()["legacy"]
    for loader in sorted(INVALID_LOADERS):
        with pytest.raises(Exception) as info:
            INVALID_LOADERS[loader](io.BytesIO(data[:-3]))  # cut inside the last storage
        _assert_invalid(info, "<bytes buffer>")
        frames, tb = [], info.value.__cause__.__traceback__
        while tb is not None:
            frames.append(tb.tb_frame)
            tb = tb.tb_next
        torch_frames = [f for f in frames if "torch" + os.sep + "serialization.py" in f.f_code.co_filename]
        assert torch_frames and all(not f.f_locals for f in torch_frames)


def _storages_freed_by_failed_load(loader, source):
    """Load ``source`` (cut inside the storage data) keeping every storage torch creates (map_location); after the
    failed load's tensors are gone, how many of them were freed although we still hold them?"""
    import gc

    kept = []

    def keep(storage, location):
        kept.append((storage, storage._weak_ref()))
        return storage

    fn = {"tc.load": tc.load, "tc.load(weights_only=False)": _load_trusted}.get(loader)
    with pytest.raises(Exception) as info:
        if fn is None:
            ser.restricted_load(ENV, source, map_location=keep)
        else:
            fn(source, map_location=keep)
    _assert_invalid(info, source if isinstance(source, str) else "<bytes buffer>")
    assert "the data of storage" in info.value.reason
    del info
    gc.collect()
    assert kept, "torch created no storage"
    freed = sum(1 for s, weak in kept if type(s)._expired(weak))  # a count: a freed storage cannot be shown
    if freed:  # never free them again, not even at exit: that aborts the process (the bug this test is about)
        import ctypes

        ctypes.pythonapi.Py_IncRef(ctypes.py_object(kept))
    elif hasattr(type(kept[0][0]), "_free_weak_ref"):
        for s, weak in kept:
            type(s)._free_weak_ref(weak)
    return freed


@pytest.mark.parametrize("cut", ["first storage", "last storage"])
@pytest.mark.parametrize("loader", sorted(INVALID_LOADERS))
def test_failed_legacy_load_frees_no_storage_it_does_not_own(loader, cut, tmp_path):
    """torch 1.0 - 1.10's ``_set_from_file`` drops a reference it never took when the data ends inside a storage:
    the storage is freed while its Python object lives, and freeing that object later aborted the process after
    enough other loads (test_truncated_checkpoints after test_random_bytes_are_invalid_checkpoints on 1.2)."""
    data = _checkpoints()["legacy"]
    tail = 2 * (8 + 16)  # the data of both storages (4 floats, 2 longs), each after its 8-byte size
    n = len(data) - tail + 8 + 3 if cut == "first storage" else len(data) - 3
    path = str(tmp_path / "cut.pt")
    with open(path, "wb") as fh:
        fh.write(data[:n])
    for source in (io.BytesIO(data[:n]), path):  # read through Python, and by torch from the fd
        freed = _storages_freed_by_failed_load(loader, source)
        assert freed == 0, "a failed load freed %d storage(s) still in use" % freed


def test_truncated_checkpoint_file_on_disk(tmp_path):
    data = _checkpoints()["legacy"]
    path = str(tmp_path / "cut.pt")
    with open(path, "wb") as fh:
        fh.write(data[: len(data) - 5])
    with pytest.raises(Exception) as info:
        tc.load(path)
    _assert_invalid(info, path)
    assert "storage" in info.value.reason


def test_users_own_errors_stay_as_they_are(tmp_path):
    with pytest.raises(FileNotFoundError):
        tc.load(str(tmp_path / "missing.pt"))
    with pytest.raises(IsADirectoryError if os.name != "nt" else PermissionError) as info:
        tc.load(str(tmp_path))
    assert not isinstance(info.value, pickle.UnpicklingError)

    class Mine(LookupError):
        pass

    def refuse_location(storage, location):
        raise Mine("map_location said no")

    data = _saved({"w": torch.ones(2)}, legacy_format=True)
    for loader in (tc.load, _load_trusted):  # an intact file keeps the error it raised
        with pytest.raises(Mine):
            loader(io.BytesIO(data), map_location=refuse_location)


def test_refusals_of_intact_files_stay_refusals():
    """The corpus is refused as before; the same bytes cut short are invalid, and say what they call."""
    with pytest.raises(tc.UnsafeLoadError):
        tc.load(os.path.join(MALICIOUS, "ext1_opcode.pkl"))
    with pytest.raises(Exception) as info:
        tc.load(io.BytesIO(b"\x82\x05" + _random_bytes(7)))  # random bytes that begin with EXT1
    _assert_invalid(info, "<bytes buffer>")
    with open(os.path.join(MALICIOUS, "p2_eval.pkl"), "rb") as fh:
        data = fh.read()
    for loader in ("tc.load", "restricted"):
        with pytest.raises(Exception) as info:
            INVALID_LOADERS[loader](io.BytesIO(data[:-1]))  # without its STOP opcode
        _assert_invalid(info, "<bytes buffer>")
        assert "`builtins.eval`" in str(info.value) and "weights_only=False" in str(info.value)
        assert isinstance(info.value.__cause__, tc.UnsafeLoadError)


def test_invalid_checkpoint_error_is_public_and_torch_free():
    from torchcompat.shifts.serialization._unpickler import InvalidCheckpointError

    assert tc.InvalidCheckpointError is ser.InvalidCheckpointError is InvalidCheckpointError
    assert issubclass(InvalidCheckpointError, pickle.UnpicklingError)
    assert not issubclass(InvalidCheckpointError, tc.UnsafeLoadError)
    code = (
        "import sys; from torchcompat.shifts.serialization import InvalidCheckpointError; "
        "assert 'torch' not in sys.modules, 'torch imported'"
    )
    run = procs.run([sys.executable, "-c", code], capture_output=True)
    assert run.returncode == 0, run.stderr.decode()
