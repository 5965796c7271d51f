"""nn.utils.clip_grad_norm_, nn.utils.weight_norm, register_full_backward_hook and the losses' reduction=."""

from __future__ import annotations

import types

import numpy as np
import pytest
import torch

import torchcompat as tc
from torchcompat.registry import UnsupportedError
from torchcompat.shifts.nn import BACKPORTS, NN_LOSS_MODULES, NN_LOSS_NAMES


def _params(scale: float = 1.0):  # type: ignore[no-untyped-def]
    g = torch.Generator().manual_seed(3)
    ps = [torch.nn.Parameter(torch.randn(4, 3, generator=g, dtype=torch.float64)) for _ in range(3)]
    for i, p in enumerate(ps[:2]):  # the third has no grad
        p.grad = torch.randn(4, 3, generator=g, dtype=torch.float64) * scale * (i + 1)
    return ps


def _np_total(ps, norm_type: float) -> float:  # type: ignore[no-untyped-def]
    flat = np.concatenate([p.grad.numpy().ravel() for p in ps if p.grad is not None])
    if norm_type == float("inf"):
        return float(np.abs(flat).max())
    return float((np.abs(flat) ** norm_type).sum() ** (1.0 / norm_type))


def test_clip_grad_norm_identity_or_backport() -> None:
    fn = tc.nn.utils.clip_grad_norm_
    status = tc._bind().status("nn.utils.clip_grad_norm_")
    if tc.at_least("2.0"):
        assert status == "native" and fn is torch.nn.utils.clip_grad_norm_
    else:
        assert status == "backported" and fn is not torch.nn.utils.clip_grad_norm_


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_numpy(norm_type: float, max_norm: float) -> None:
    for fn in (tc.nn.utils.clip_grad_norm_, BACKPORTS["nn.utils.clip_grad_norm_"](torch)):
        ps = _params()
        before = [p.grad.clone() for p in ps[:2]]
        total = _np_total(ps, norm_type)
        out = fn(ps, max_norm, norm_type=norm_type, error_if_nonfinite=False, foreach=None)
        assert isinstance(out, torch.Tensor)
        assert abs(float(out) - total) <= 1e-12 * total
        coef = min(max_norm / (total + 1e-6), 1.0)
        for p, g in zip(ps, before):
            np.testing.assert_allclose(p.grad.numpy(), g.numpy() * coef, rtol=1e-12, atol=0)
        assert ps[2].grad is None


def test_clip_grad_norm_backport_equals_native() -> None:
    a, b = _params(), _params()
    back = BACKPORTS["nn.utils.clip_grad_norm_"](torch)(a, 0.3)
    own = torch.nn.utils.clip_grad_norm_(b, 0.3)
    assert abs(float(back) - float(own)) <= 1e-12 * float(own)
    for p, q in zip(a[:2], b[:2]):
        assert torch.allclose(p.grad, q.grad, rtol=1e-12, atol=0)


def test_clip_grad_norm_edge_cases() -> None:
    for fn in (tc.nn.utils.clip_grad_norm_, BACKPORTS["nn.utils.clip_grad_norm_"](torch)):
        assert float(fn([torch.nn.Parameter(torch.ones(2))], 1.0)) == 0.0  # no grads
        single = _params()[0]
        assert abs(float(fn(single, 1e6)) - _np_total([single], 2.0)) < 1e-9  # a lone tensor
        bad = _params()
        bad[0].grad[0, 0] = float("nan")
        with pytest.raises(RuntimeError, match="non-finite"):
            fn(bad, 1.0, error_if_nonfinite=True)


def test_weight_norm() -> None:
    torch.manual_seed(0)
    lin = torch.nn.Linear(5, 3).double()
    weight = lin.weight.detach().clone()
    out = tc.nn.utils.weight_norm(lin)
    assert out is lin
    new = getattr(getattr(torch.nn.utils, "parametrizations", None), "weight_norm", None)
    if new is not None:
        assert tc.nn.utils.weight_norm is new
        assert tc._bind().status("nn.utils.weight_norm") == "native"
        g = lin.parametrizations.weight.original0
    else:
        assert tc.nn.utils.weight_norm is torch.nn.utils.weight_norm
        assert tc._bind().status("nn.utils.weight_norm") == "backported"
        g = lin.weight_g
    np.testing.assert_allclose(g.detach().numpy().ravel(), np.linalg.norm(weight.numpy(), axis=1), rtol=1e-12)
    x = torch.randn(2, 5, dtype=torch.float64)
    lin(x)  # the old hook recomputes the weight in a forward pre-hook
    assert torch.allclose(lin.weight, weight, rtol=1e-12, atol=1e-12)
    with torch.no_grad():
        g.mul_(2)
    lin(x)
    assert torch.allclose(lin.weight, 2 * weight, rtol=1e-12, atol=1e-12)


class _Composite(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lin = torch.nn.Linear(3, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.lin(x)) * 2


@pytest.mark.torch_version(">=1.8")
def test_register_full_backward_hook_native() -> None:
    assert tc.register_full_backward_hook is torch.nn.Module.register_full_backward_hook
    assert tc._bind().status("register_full_backward_hook") == "native"
    m = _Composite()
    seen = []
    handle = tc.register_full_backward_hook(m, lambda mod, gin, gout: seen.append((mod, gin, gout)))
    x = torch.randn(4, 3, requires_grad=True)
    m(x).sum().backward()
    ((mod, gin, gout),) = seen
    assert mod is m
    assert torch.equal(gout[0], torch.ones(4, 3))
    assert torch.allclose(gin[0], x.grad)  # the gradient w.r.t. the module's input, not the last op's
    handle.remove()
    m(x).sum().backward()
    assert len(seen) == 1


@pytest.mark.torch_version("<1.8")
def test_register_full_backward_hook_unavailable() -> None:
    assert tc._bind().status("register_full_backward_hook") == "unavailable"
    with pytest.raises(UnsupportedError, match="1.8"):
        tc.register_full_backward_hook(_Composite(), lambda *a: None)


# -- losses ----------------------------------------------------------------------------------------


def test_losses_are_native_with_reduction() -> None:
    for name in NN_LOSS_NAMES:
        assert getattr(tc.nn.functional, name) is getattr(torch.nn.functional, name)
        assert tc._bind().status("nn.functional." + name) == "native"
    for name in NN_LOSS_MODULES:
        assert getattr(tc.nn, name) is getattr(torch.nn, name)
        assert tc._bind().status("nn." + name) == "native"


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_and_l1_reduction_against_numpy(reduction: str) -> None:
    a, b = torch.randn(4, 5, dtype=torch.float64), torch.randn(4, 5, dtype=torch.float64)
    d = a.numpy() - b.numpy()
    for fn, per in ((tc.nn.functional.mse_loss, d**2), (tc.nn.functional.l1_loss, np.abs(d))):
        expected = {"mean": per.mean(), "sum": per.sum(), "none": per}[reduction]
        np.testing.assert_allclose(fn(a, b, reduction=reduction).numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(
        tc.nn.MSELoss(reduction=reduction)(a, b).numpy(),
        {"mean": (d**2).mean(), "sum": (d**2).sum(), "none": d**2}[reduction],
        rtol=1e-12,
    )


def _emulated_04_losses():  # type: ignore[no-untyped-def]
    """EMULATED torch 0.4.0 losses: size_average= / reduce= and no reduction= (pytorch/pytorch#8018)."""

    def mse_loss(input, target, size_average=True, reduce=True):  # type: ignore[no-untyped-def]
        per = (input - target) ** 2
        if not reduce:
            return per
        return per.mean() if size_average else per.sum()

    class MSELoss(torch.nn.Module):
        def __init__(self, size_average=True, reduce=True):  # type: ignore[no-untyped-def]
            super().__init__()
            self.size_average, self.reduce = size_average, reduce

        def forward(self, input, target):  # type: ignore[no-untyped-def]
            return mse_loss(input, target, self.size_average, self.reduce)

    fake = types.ModuleType("torch040_emulated")
    fake.__version__ = "0.4.0"
    fake.__torchcompat_emulated__ = True
    fake.nn = types.ModuleType("torch040.nn")
    fake.nn.functional = types.ModuleType("torch040.nn.functional")
    fake.nn.functional.mse_loss = mse_loss
    fake.nn.MSELoss = MSELoss
    return fake


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_reduction_mapped_on_emulated_04(reduction: str) -> None:
    old = tc.bind(_emulated_04_losses())
    a, b = torch.randn(3, 4, dtype=torch.float64), torch.randn(3, 4, dtype=torch.float64)
    expected = torch.nn.functional.mse_loss(a, b, reduction=reduction)
    assert torch.equal(old.nn.functional.mse_loss(a, b, reduction=reduction), expected)
    module = old.nn.MSELoss(reduction=reduction)
    assert module.reduction == reduction
    assert torch.equal(module(a, b), expected)
    with pytest.raises(ValueError):
        old.nn.functional.mse_loss(a, b, reduction="avg")
    assert old.nn.functional.cross_entropy.__name__ == "cross_entropy"  # missing on the fake: a clear stub
    with pytest.raises(UnsupportedError):
        old.nn.functional.cross_entropy(a, b)
