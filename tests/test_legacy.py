"""torchcompat.legacy: the patch engine (exact unpatch, idempotence, nesting, threads) and each restore,
checked against the native API or NumPy on the running torch."""

from __future__ import annotations

import pickle
import sys
import threading
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import torchcompat.legacy as legacy
from torchcompat.legacy import engine
from torchcompat.legacy.face import ADD, MODULE, WRAP, Restore, all_restores
from torchcompat.legacy.restores import autograd as r_autograd
from torchcompat.legacy.restores import data as r_data
from torchcompat.legacy.restores import tensor as r_tensor
from torchcompat.probe import TorchEnv

ENV = TorchEnv.of(torch)
HAS_BOOL = hasattr(torch, "bool")


@pytest.fixture(autouse=True)
def _clean():
    legacy.unpatch()
    legacy.reset_uses()
    yield
    legacy.unpatch()


def _snapshot():
    import torch.utils.data.dataloader as dl

    owners = {
        "torch": torch,
        "Tensor": torch.Tensor,
        "autograd": torch.autograd,
        "F": F,
        "dataloader": dl,
        "Function": torch.autograd.Function,
        "TensorDataset": torch.utils.data.TensorDataset,
    }
    dirs = {k: sorted(dir(v)) for k, v in owners.items()}
    ids = {}
    for k, v in owners.items():
        for name, value in list(vars(v).items()):
            ids[(k, name)] = id(value)
    return dirs, ids, sorted(sys.modules)


# -- the engine --------------------------------------------------------------------------------------


def test_every_restore_is_a_face_of_a_registry_record():
    from torchcompat.legacy import face
    from torchcompat.registry import REGISTRY

    found = all_restores()
    assert len(found) >= 40
    assert face._LOCAL == []  # every restore found its record
    for shift_id, restore in found:
        assert restore in REGISTRY.get(shift_id).faces["restore"]
        assert restore.kind in (ADD, WRAP, MODULE)


def test_unpatch_is_exact():
    legacy.patch()
    legacy.unpatch()  # first patch imports submodules (torch.fft, restore modules): not undone by design
    dirs, ids, modules = _snapshot()
    getitem = torch.Tensor.__getitem__
    names = legacy.patch()
    assert names and legacy.is_patched()
    changed = legacy.applied()
    assert len(changed) >= len(names)
    legacy.unpatch()
    assert not legacy.is_patched()
    dirs2, ids2, modules2 = _snapshot()
    assert dirs2 == dirs
    assert ids2 == ids
    assert modules2 == modules
    assert torch.Tensor.__getitem__ is getitem
    assert "torch._six" in sys.modules or "_six" not in dir(torch)


def test_patch_twice_is_patch_once():
    first = legacy.patch()
    count = len(legacy.applied())
    assert legacy.patch() == []
    assert len(legacy.applied()) == count
    legacy.unpatch()
    assert legacy.applied() == [] and first


def test_nested_patched_blocks_keep_the_outer_restores():
    legacy.patch(select=["ag-data-index-0"])
    outer = legacy.applied()
    with legacy.patched() as inner_names:
        assert len(legacy.applied()) >= len(outer)
        with legacy.patched() as innermost:
            assert innermost == []
        assert "data-index-0" not in inner_names
    assert legacy.applied() == outer
    legacy.unpatch()
    assert legacy.applied() == []


def test_select_and_era():
    with pytest.raises(ValueError, match="unknown restore"):
        legacy.patch(select="no-such-restore")
    with pytest.raises(ValueError, match="unknown era"):
        legacy.patch(era="0.2")
    legacy.patch(select="gesv,int-div", era="1.0")
    assert {n for n, _, _ in legacy.applied()} <= {"gesv", "int-div"}
    legacy.unpatch()
    legacy.patch(select="data-index-0", era="1.0")  # 1.0 already raised IndexError: nothing to restore
    assert legacy.applied() == []
    with pytest.raises(RuntimeError, match="already patched"):
        legacy.patch(select="softmax-dim", era="0.3")
        legacy.patch(select="softmax-dim", era="0.4")


def test_removed_stub_detection():
    def stub(*args, **kwargs):
        raise RuntimeError("This function was deprecated since version 1.9 and is now removed.")

    def real(x):
        return x

    assert legacy.is_removed_stub(stub)
    assert not legacy.is_removed_stub(real)
    assert not legacy.is_removed_stub(torch.mm)


def test_add_never_replaces_what_torch_provides():
    real = {
        name: getattr(torch, name)
        for name in ("chain_matmul", "gesv", "symeig", "qr", "rfft")
        if hasattr(torch, name) and not legacy.is_removed_stub(getattr(torch, name))
    }
    with legacy.patched():
        for name, obj in real.items():
            assert getattr(torch, name) is obj, name


def test_restore_validates_its_kind():
    with pytest.raises(ValueError):
        Restore("x", lambda env, era, orig: None, kind="replace")
    assert Restore("Tensor.x", lambda env, era, orig: None).name == "Tensor.x"


def test_patched_in_threads():
    errors = []

    def worker():
        try:
            for _ in range(20):
                with legacy.patched(select=["data-index-0", "int-div"]):
                    assert torch.zeros(())[0] == 0.0
                    assert (torch.tensor([7]) / 2).tolist() == [3]
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    before = _snapshot()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert not legacy.is_patched()
    assert _snapshot()[:2] == before[:2]


def test_a_patched_run_in_a_thread(tmp_path):
    from torchcompat.legacy.cli import run_script

    script = tmp_path / "old.py"
    script.write_text("import torch\nloss = torch.ones(3).sum()\nprint('RESULT %.1f' % loss.data[0])\n")
    codes = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = threading.Thread(target=lambda: codes.append(run_script(str(script), [])))
        t.start()
        t.join()
    assert codes == [0]
    assert not legacy.is_patched()


def test_one_warning_per_call_site():
    with legacy.patched(select="data-index-0"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        x = torch.zeros(())
        for _ in range(3):
            x[0]
        x[0]
    ours = [w for w in caught if issubclass(w.category, legacy.RestoredWarning)]
    if not r_autograd._index_0dim_fails(ENV):
        pytest.skip("this torch indexes 0-dim tensors natively")
    assert len(ours) == 2
    assert {w.filename for w in ours} == {__file__}
    assert "data-index-0" in legacy.first_uses()


# -- restores ---------------------------------------------------------------------------------------


def test_data_index_0_gives_the_python_number():
    loss = (torch.arange(4).float() ** 2).sum()
    with legacy.patched(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = loss.data[0]
        assert isinstance(value, float) and value == loss.item() == 14.0
        assert torch.tensor([5, 6])[0].item() == 5  # 1-dim indexing unchanged
        w = torch.ones((), requires_grad=True)
        y = (w * 3)[0]  # a 0-dim result that requires grad keeps its graph
        y.backward()
        assert w.grad.item() == 3.0
        # the patched __getitem__ must not make tensors look like sequences
        assert torch.tensor([torch.tensor(1.0), torch.tensor(2.0)]).tolist() == [1.0, 2.0]


@pytest.mark.skipif(not r_autograd._has_subclass_dispatch(ENV), reason="needs __torch_function__ (torch >= 1.7)")
def test_volatile_records_no_graph():
    from torch.autograd import Variable

    lin = torch.nn.Linear(3, 2)
    with legacy.patched(select="volatile"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from torch.autograd import Variable as Patched

        assert Patched is not Variable
        v = Patched(torch.ones(4, 3), volatile=True)
        assert v.volatile
        out = torch.relu(lin(v)).sum(0) * 2
        assert not out.requires_grad and out.grad_fn is None and out.volatile
        assert torch.allclose(out, (torch.relu(lin(torch.ones(4, 3))).sum(0) * 2).detach())
        idx = out.max(0)[1]
        assert not getattr(idx, "volatile", False)  # integer results are plain tensors
        plain = Patched(torch.ones(2), requires_grad=True)
        assert plain.requires_grad and isinstance(plain, Variable) and not plain.volatile
    assert torch.autograd.Variable is Variable


def test_legacy_function_instances_are_callable():
    class MyReLU(torch.autograd.Function):
        def forward(self, input):
            self.save_for_backward(input)
            self.seen = self.needs_input_grad
            return input.clamp(min=0)

        def backward(self, grad_output):
            (input,) = self.saved_tensors
            grad = grad_output.clone()
            grad[input < 0] = 0
            return grad

    class Scale(torch.autograd.Function):
        def __init__(self, factor):
            super().__init__()
            self.factor = factor

        def forward(self, a, b):
            out = b.clone()
            self.mark_non_differentiable(out)
            return a * self.factor, out

        def backward(self, grad_a, grad_b):
            return grad_a * self.factor, None

    x = torch.tensor([-1.0, 2.0, 3.0], requires_grad=True)
    with legacy.patched(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = MyReLU()(x * 2)
        y.sum().backward()
        a, b = Scale(3.0)(x, torch.ones(3))
        a.sum().backward()
    expected = torch.tensor([0.0, 2.0, 2.0]) + 3.0
    assert torch.equal(x.grad, expected)
    assert not b.requires_grad


def test_six_and_dataloader_private_names():
    import torch.utils.data.dataloader as dl

    native_six = "_six" in dir(torch) or engine._importable("torch._six")
    with legacy.patched(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from torch._six import container_abcs, inf, int_classes, string_classes

        assert isinstance("a", string_classes) and int_classes is int and inf == float("inf")
        assert isinstance([], container_abcs.Sequence)
        ntm = dl.numpy_type_map
        assert ntm["float32"] is torch.FloatTensor and ntm["int64"] is torch.LongTensor
        assert dl.string_classes == (str, bytes) or str in dl.string_classes
    if not native_six:
        assert "torch._six" not in sys.modules and not hasattr(torch, "_six")
    assert not hasattr(dl, "numpy_type_map") or "numpy_type_map" in vars(dl)


def test_six_names_match_torch_1x():
    names = r_data.six_names()
    for name in (
        "PY3",
        "string_classes",
        "int_classes",
        "container_abcs",
        "inf",
        "nan",
        "FileNotFoundError",
        "with_metaclass",
        "istuple",
        "queue",
    ):
        assert name in names

    class Meta(type):
        pass

    class C(names["with_metaclass"](Meta, object)):
        pass

    assert type(C) is Meta and C.__mro__[1] is object


def test_tensordataset_kwargs_and_retain_variables():
    x, y = torch.arange(6).view(3, 2).float(), torch.arange(3)
    with legacy.patched(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = torch.utils.data.TensorDataset(data_tensor=x, target_tensor=y)
        assert len(ds) == 3 and torch.equal(ds[1][0], x[1]) and ds[1][1].item() == 1
        assert len(torch.utils.data.TensorDataset(x, y)) == 3
        w = torch.ones(2, requires_grad=True)
        loss = (w * w).sum()
        loss.backward(retain_variables=True)
        loss.backward()
        assert w.grad.tolist() == [4.0, 4.0]


def test_async_keyword_reaches_non_blocking():
    calls = []

    def fake_cuda(self, *args, **kwargs):
        calls.append(kwargs)
        return self

    wrapped = r_tensor._async_kwarg(ENV, "0.4", fake_cuda)
    t = torch.ones(1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert wrapped(t, **{"async": True}) is t
        wrapped(t, non_blocking=False)
    assert calls == [{"non_blocking": True}, {"non_blocking": False}]


@pytest.mark.skipif(not HAS_BOOL, reason="uint8 is this torch's own mask type (no torch.bool before 1.2)")
@pytest.mark.skipif(not hasattr(torch.Tensor, "bool"), reason="no Tensor.bool before torch 1.2: uint8 is the mask")
def test_uint8_masks():
    x = torch.arange(4).float()
    m8 = torch.tensor([1, 0, 1, 0], dtype=torch.uint8)
    mb = m8.bool()
    with legacy.patched(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert torch.equal(x.masked_fill(m8, -1), x.masked_fill(mb, -1))
        assert torch.equal(x.masked_select(m8), x.masked_select(mb))
        assert torch.equal(torch.masked_select(x, m8), x[mb])
        assert torch.equal(torch.where(m8, x, -x), torch.where(mb, x, -x))
        y = x.clone()
        y.masked_fill_(m8, 9)
        assert y.tolist() == [9.0, 1.0, 9.0, 3.0]


def test_uint8_masks_native_on_old_torch():
    x = torch.arange(4).float()
    m8 = torch.tensor([1, 0, 1, 0], dtype=torch.uint8)
    with legacy.patched(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert x.masked_fill(m8, -1).tolist() == [-1.0, 1.0, -1.0, 3.0]
        assert x.masked_select(m8).tolist() == [0.0, 2.0]


def test_integer_division_truncates():
    a = torch.tensor([7, -7, 6])
    with legacy.patched(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = [int(v / 2) for v in (7, -7, 6)]  # C truncation: 3, -3, 3
        assert (a / 2).tolist() == expected
        assert (a / torch.tensor([2, 2, 2])).tolist() == expected
        assert torch.div(a, 2).tolist() == expected
        assert a.div(2).tolist() == expected
        assert (7 / torch.tensor([2])).tolist() == [3]
        assert not (a / 2).is_floating_point()
        b = a.clone()
        b /= 2
        assert b.tolist() == expected
        n = torch.tensor(9) / 2
        assert list(range(n)) == [0, 1, 2, 3] and torch.arange(10)[n].item() == 4
        # float and mixed divisions are untouched
        assert (torch.tensor([7.0]) / 2).tolist() == [3.5]
        mixed = a / 2.0
    if r_tensor._int_div_is_true(ENV):  # the restore applies: native mixed division stays float
        assert mixed.is_floating_point()
        try:
            native = a / 2  # unpatched again: true division (1.7+), or the 1.6 error
        except RuntimeError as exc:
            assert "no longer supported" in str(exc)
        else:
            assert native.is_floating_point()


def test_softmax_without_dim_uses_the_old_choice():
    x2, x3, x4 = torch.randn(3, 4), torch.randn(2, 3, 4), torch.randn(2, 3, 4, 5)
    with legacy.patched(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert torch.allclose(F.softmax(x2), torch.softmax(x2, 1))
        assert torch.allclose(F.softmax(x3), torch.softmax(x3, 0))
        assert torch.allclose(F.log_softmax(x4), torch.log_softmax(x4, 1))
        assert torch.allclose(F.softmax(x3, 2), torch.softmax(x3, 2))
        assert torch.allclose(F.softmax(x3, dim=2), torch.softmax(x3, 2))
    with legacy.patched(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        F.softmax(x2)
    texts = [str(w.message) for w in caught]
    assert sum("torchcompat" in t for t in texts) == 1
    assert not any("Implicit dimension choice" in t for t in texts)


def _fft_restored():
    with legacy.patched(select="rfft"):
        return hasattr(torch, "rfft")


@pytest.mark.skipif(not _fft_restored(), reason="torchcompat.fft.rfft_legacy is not declared yet")
def test_rfft_irfft_real_pairs():
    x = torch.randn(3, 16, dtype=torch.float64)
    with legacy.patched(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spec = torch.rfft(x, 1)
        ref = np.fft.rfft(x.numpy(), axis=-1)
        assert spec.shape == (3, 9, 2)
        assert np.allclose(spec[..., 0].numpy(), ref.real) and np.allclose(spec[..., 1].numpy(), ref.imag)
        back = torch.irfft(spec, 1, signal_sizes=(16,))
        assert np.allclose(back.numpy(), x.numpy())
        full = torch.rfft(x, 1, onesided=False, normalized=True)
        ref_full = np.fft.fft(x.numpy(), axis=-1, norm="ortho")
        assert np.allclose(full[..., 0].numpy(), ref_full.real)


@pytest.mark.skipif(
    not (ENV.accepts("load", "weights_only") and ENV.at_least("2.6")),
    reason="torch.load defaults to weights_only=True only on torch >= 2.6",
)
def test_torch_load_under_weights_only(tmp_path, monkeypatch):
    import argparse

    from torchcompat.legacy.restores import serialization as r_ser

    monkeypatch.delenv(r_ser.TRUST_ENV, raising=False)
    elsewhere = tmp_path / "elsewhere.pt"
    plain = tmp_path / "plain.pt"
    torch.save({"opt": argparse.Namespace(lr=0.1), "arr": np.arange(3.0), "w": torch.ones(2)}, str(plain))
    torch.save(torch.nn.Linear(2, 2), str(elsewhere))  # written before the patch: not "ours"
    with pytest.raises(pickle.UnpicklingError):
        torch.load(str(elsewhere))
    with legacy.patched(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = torch.load(str(plain))
        assert data["opt"].lr == 0.1 and data["arr"].tolist() == [0.0, 1.0, 2.0]
        with pytest.raises(r_ser.UntrustedCheckpointError, match="set TORCHCOMPAT_TRUST_CHECKPOINTS=1"):
            torch.load(str(elsewhere))  # outside `torchcompat run`, the message names the in-process opt-ins
        monkeypatch.setenv(r_ser.TRUST_ENV, "1")
        assert isinstance(torch.load(str(elsewhere)), torch.nn.Linear)
        monkeypatch.delenv(r_ser.TRUST_ENV)
        ours = tmp_path / "ours.pt"
        torch.save(torch.nn.Linear(2, 3), str(ours))
        assert torch.load(str(ours)).out_features == 3
        with open(str(ours), "ab") as f:  # changed since we wrote it: no longer trusted
            f.write(b"\0")
        with pytest.raises((pickle.UnpicklingError, RuntimeError)):
            torch.load(str(ours))


def _fft_module_restored():
    with legacy.patched(select="fft"):
        return callable(torch.fft) and isinstance(torch.fft, type(sys))


@pytest.mark.skipif(not _fft_module_restored(), reason="torch.fft is not a module here, or fft_legacy is missing")
def test_torch_fft_module_callable_again():
    module_class = type(torch.fft)
    x = torch.randn(4, 8, 2, dtype=torch.float64)  # real pairs
    with legacy.patched(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = torch.fft(x, 1)
        ref = np.fft.fft(x[..., 0].numpy() + 1j * x[..., 1].numpy(), axis=-1)
        assert np.allclose(out[..., 0].numpy(), ref.real) and np.allclose(out[..., 1].numpy(), ref.imag)
        assert torch.allclose(torch.fft.fft(torch.ones(4)).real, torch.tensor([4.0, 0, 0, 0]))
    assert type(torch.fft) is module_class and not callable(torch.fft)


def test_add_semantics_on_an_emulated_torch():
    """Emulated surface: a torch-like module where ``solve`` is a 2.x "is now removed" stub, ``symeig`` is a
    real function and ``gesv`` is missing: ADD replaces the stub, adds the missing name, keeps the real one."""
    import types

    fake = types.ModuleType("faketorch")
    fake.__version__ = "2.13.0"
    fake.__torchcompat_emulated__ = True

    def solve(*args, **kwargs):
        raise RuntimeError("This function was deprecated since version 1.9 and is now removed.")

    def symeig(*args, **kwargs):
        return "real"

    fake.solve, fake.symeig = solve, symeig
    before = (sorted(dir(fake)), dict(vars(fake)))
    with legacy.patched(select=["solve", "symeig", "gesv"], torch_module=fake) as names:
        assert set(names) == {"solve", "gesv"}
        assert fake.symeig is symeig and fake.solve is not solve and callable(fake.gesv)
        assert not legacy.is_removed_stub(fake.solve)
    assert (sorted(dir(fake)), dict(vars(fake))) == before
