"""tc.autocast, tc.GradScaler, tc.custom_fwd / custom_bwd: the torch.amp signatures on every release."""

from __future__ import annotations

import warnings

import pytest
import torch

import torchcompat as tc
from torchcompat.probe import TorchEnv
from torchcompat.shifts.amp import make_autocast, make_custom_fwd_bwd, make_grad_scaler

CPU_AUTOCAST = hasattr(torch, "autocast")  # torch.autocast(device_type) and CPU autocast: 1.10+
CUDA = torch.cuda.is_available()
needs_cuda = pytest.mark.skipif(not CUDA, reason="CUDA autocast needs a GPU (see benchmarks/gpu_check.py)")
needs_cpu_autocast = pytest.mark.skipif(not CPU_AUTOCAST, reason="CPU autocast needs torch >= 1.10")


def _ours(record, prefix):
    return [str(w.message) for w in record if str(w.message).startswith(prefix)]


def _no_warnings():
    """warnings.simplefilter("error"), except torch's own notice that a CUDA build runs without a GPU (1.10 - 2.x
    give it even for enabled=False): that is this machine, not the adapter."""
    warnings.simplefilter("error")
    warnings.filterwarnings("ignore", message=".*CUDA is not available.*")


def _amp(name):
    amp = getattr(torch, "amp", None)
    return getattr(amp, name, None)


# -- identity -------------------------------------------------------------------------------------------


def test_native_objects_where_torch_has_them():
    if CPU_AUTOCAST:
        assert tc.autocast is torch.autocast
        if _amp("autocast") is not None:
            assert tc.autocast is torch.amp.autocast
    for name in ("GradScaler", "custom_fwd", "custom_bwd"):
        native = _amp(name)
        if native is not None:
            assert getattr(tc, name) is native
            assert tc._bind().status(name) == "native"
        else:
            assert tc._bind().status(name) == "backported"


def test_no_warning_on_any_release_for_what_can_be_honoured():
    x = torch.randn(2, 2)
    with warnings.catch_warnings():
        _no_warnings()
        with tc.autocast("cpu", enabled=False):
            assert x.mm(x).dtype == torch.float32
        with tc.autocast("cuda", enabled=False):
            pass
        if CPU_AUTOCAST:
            with tc.autocast("cpu", dtype=torch.bfloat16):
                x.mm(x)
        scaler = tc.GradScaler("cuda", enabled=False)
        assert scaler.scale(x) is x and not scaler.is_enabled()
        tc.GradScaler(enabled=False)
        tc.custom_fwd(device_type="cuda")(lambda ctx, a: a)
        tc.custom_fwd(lambda ctx, a: a, device_type="cpu", cast_inputs=torch.float32)
        tc.custom_bwd(device_type="cpu")(lambda ctx, g: g)


# -- autocast -----------------------------------------------------------------------------------------------


@needs_cpu_autocast
def test_cpu_autocast_bfloat16_matches_torch():
    torch.manual_seed(0)
    a, b = torch.randn(4, 3), torch.randn(3, 5)
    with tc.autocast("cpu", dtype=torch.bfloat16):
        ours = a.mm(b)
        with tc.autocast("cpu", enabled=False):
            inner = a.mm(b)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        theirs = a.mm(b)
    assert ours.dtype == torch.bfloat16 == theirs.dtype
    assert torch.equal(ours, theirs)
    assert inner.dtype == torch.float32 and a.mm(b).dtype == torch.float32

    @tc.autocast("cpu", dtype=torch.bfloat16)
    def decorated(u, v):
        return u.mm(v)

    assert decorated(a, b).dtype == torch.bfloat16


def test_autocast_without_support_is_a_no_op_with_one_warning():
    autocast = make_autocast(TorchEnv.of(torch)) if not CPU_AUTOCAST else None
    if autocast is None:
        pytest.skip("torch.autocast exists here: tc.autocast is torch's own (tested above)")
    a = torch.randn(3, 3)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        with autocast("cpu", dtype=torch.bfloat16 if hasattr(torch, "bfloat16") else None):
            assert torch.equal(a.mm(a), torch.mm(a, a))
        with autocast("cpu"):
            assert a.mm(a).dtype == torch.float32
        with autocast("cpu", enabled=False):
            pass
    assert len(_ours(record, "tc.autocast")) == 1


def test_autocast_rejects_a_non_string_device_type():
    with pytest.raises((ValueError, TypeError, RuntimeError)):
        tc.autocast(torch.float16)


@needs_cuda
def test_cuda_autocast_float16():
    a = torch.randn(8, 8, device="cuda")
    with tc.autocast("cuda"):
        assert a.mm(a).dtype == torch.float16
        with tc.autocast("cuda", enabled=False):
            assert a.mm(a).dtype == torch.float32
    assert a.mm(a).dtype == torch.float32


# -- GradScaler ------------------------------------------------------------------------------------------


def _sgd_step(scaler=None):
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(8, 3), torch.randn(8, 1)
    loss = (model(x) - y).pow(2).mean()
    if scaler is None:
        loss.backward()
        opt.step()
    else:
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
    return [p.detach().clone() for p in model.parameters()]


@pytest.mark.parametrize("device", ["cpu", "cuda"])
def test_grad_scaler_step_equals_a_plain_step(device):
    if device == "cuda" and not CUDA:
        scaler = tc.GradScaler(device, enabled=False)
    else:
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            scaler = tc.GradScaler(device)
    expected = _sgd_step()
    got = _sgd_step(scaler)
    assert all(torch.allclose(g, e, atol=1e-6) for g, e in zip(got, expected))
    state = scaler.state_dict()
    scaler.load_state_dict(state)


def test_grad_scaler_for_a_device_without_scaling_warns_once():
    env = TorchEnv.of(torch)
    if _amp("GradScaler") is not None:
        pytest.skip("torch.amp.GradScaler exists: tc.GradScaler is torch's own")
    scaler_class = make_grad_scaler(env)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        first = scaler_class("cpu")
        scaler_class("cpu", init_scale=1024.0)
    assert len(_ours(record, "tc.GradScaler")) == 1
    assert not first.is_enabled() and first.get_scale() == 1.0
    loss = torch.tensor(2.0)
    assert first.scale(loss) is loss
    if hasattr(torch.cuda, "amp") and hasattr(torch.cuda.amp, "GradScaler"):
        assert isinstance(first, torch.cuda.amp.GradScaler)


@needs_cuda
def test_cuda_grad_scaler_scales():
    scaler = tc.GradScaler("cuda", init_scale=1024.0)
    loss = torch.tensor(2.0, device="cuda")
    assert scaler.scale(loss).item() == 2048.0 and scaler.is_enabled()


# -- custom_fwd / custom_bwd ---------------------------------------------------------------------------


def _mm_function(custom_fwd, custom_bwd, cast_inputs):
    class MM(torch.autograd.Function):
        @staticmethod
        @custom_fwd(device_type="cpu", cast_inputs=cast_inputs)
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a.mm(b)

        @staticmethod
        @custom_bwd(device_type="cpu")
        def backward(ctx, grad):
            a, b = ctx.saved_tensors
            return grad.mm(b.t()), a.t().mm(grad)

    return MM


def _fwd_bwd_impls():
    impls = [(tc.custom_fwd, tc.custom_bwd)]
    if tc._bind().status("custom_fwd") == "native":
        env = TorchEnv.of(torch)
        impls.append(make_custom_fwd_bwd(env))  # the backport, checked against torch's own here
    return impls


@pytest.mark.parametrize("impl", _fwd_bwd_impls())
@pytest.mark.parametrize("cast_inputs", [None, "float32"])
def test_custom_fwd_bwd_results_and_grads(impl, cast_inputs):
    cast = getattr(torch, cast_inputs) if cast_inputs else None
    mm = _mm_function(impl[0], impl[1], cast).apply
    torch.manual_seed(0)
    a = torch.randn(4, 3, requires_grad=True)
    b = torch.randn(3, 2, requires_grad=True)
    out = mm(a, b)
    out.sum().backward()
    assert torch.allclose(out, a.mm(b))
    assert torch.allclose(a.grad, torch.ones(4, 2).mm(b.t())) and torch.allclose(b.grad, a.t().mm(torch.ones(4, 2)))
    if CPU_AUTOCAST:
        with tc.autocast("cpu", dtype=torch.bfloat16):
            inside = mm(a, b)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            reference = a.mm(b)
        if cast is None:
            assert inside.dtype == torch.bfloat16 and torch.equal(inside, reference)
        else:
            assert inside.dtype == torch.float32 and torch.allclose(inside, a.mm(b))
        inside.float().sum().backward()


def test_cuda_memory_reserved_under_either_name():
    for new, old in (("memory_reserved", "memory_cached"), ("max_memory_reserved", "max_memory_cached")):
        expected = getattr(torch.cuda, new, None) or getattr(torch.cuda, old)
        assert getattr(tc.cuda, new) is expected
    assert tc.cuda.is_available is torch.cuda.is_available  # the rest of torch.cuda falls through
