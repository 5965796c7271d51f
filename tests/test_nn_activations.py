"""nn modules and functional activations added in 1.1-1.9: native identity where torch has them, and
every backport checked against torch's own function (where present) and a NumPy formula (always)."""

from __future__ import annotations

import io
import math
import pickle

import numpy as np
import pytest
import torch

import torchcompat as tc
from torchcompat.shifts.nn import BACKPORTS

F = torch.nn.functional


def _x(edges: bool = True) -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(4, 7, generator=g, dtype=torch.float64) * 6
    if edges:  # far tails and hardswish's kinks (where subgradients are a convention)
        x[0, :5] = torch.tensor([-30.0, -3.0, 0.0, 3.0, 30.0], dtype=torch.float64)
    return x


def _np_gelu(a: np.ndarray) -> np.ndarray:
    erf = np.vectorize(math.erf)
    return 0.5 * a * (1.0 + erf(a / math.sqrt(2.0)))


def _np_gelu_tanh(a: np.ndarray) -> np.ndarray:
    return 0.5 * a * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (a + 0.044715 * a**3)))


def _np_softplus(a: np.ndarray) -> np.ndarray:
    return np.where(a > 20, a, np.log1p(np.exp(np.minimum(a, 20))))


NUMPY = {
    "silu": lambda a: a / (1.0 + np.exp(-a)),
    "mish": lambda a: a * np.tanh(_np_softplus(a)),
    "hardswish": lambda a: a * np.clip(a + 3.0, 0.0, 6.0) / 6.0,
    "gelu": _np_gelu,
}
MODULES = {"silu": "SiLU", "mish": "Mish", "hardswish": "Hardswish", "gelu": "GELU"}


@pytest.mark.parametrize("name", sorted(NUMPY))
def test_functional_native_identity_or_backport(name: str) -> None:
    fn = getattr(tc.nn.functional, name)
    own = getattr(F, name, None)
    status = tc._bind().status("nn.functional." + name)
    if name == "gelu":  # native only where approximate= exists (1.12)
        native_expected = own is not None and tc.at_least("1.12")
    else:
        native_expected = own is not None
    assert (status == "native") == native_expected
    if native_expected:
        assert fn is own
    else:
        assert fn is BACKPORTS["nn.functional." + name](torch)


@pytest.mark.parametrize("name", sorted(NUMPY))
def test_backport_functional_matches_numpy_and_native(name: str) -> None:
    x = _x()
    fn = BACKPORTS["nn.functional." + name](torch)
    out = fn(x)
    np.testing.assert_allclose(out.numpy(), NUMPY[name](x.numpy()), rtol=1e-12, atol=1e-12)
    own = getattr(F, name, None)
    if own is not None:
        assert torch.allclose(out, own(x), rtol=1e-12, atol=1e-12)
    if name != "gelu":
        y = x.clone()
        res = fn(y, inplace=True)
        assert res.data_ptr() == y.data_ptr()
        assert torch.allclose(y, out, rtol=0, atol=0)
    # the public adapter computes the same thing
    assert torch.allclose(getattr(tc.nn.functional, name)(x), out, rtol=1e-12, atol=1e-12)


def test_gelu_tanh_approximation() -> None:
    x = _x()
    for fn in (BACKPORTS["nn.functional.gelu"](torch), tc.nn.functional.gelu):
        out = fn(x, approximate="tanh")
        np.testing.assert_allclose(out.numpy(), _np_gelu_tanh(x.numpy()), rtol=1e-12, atol=1e-12)
        with pytest.raises(RuntimeError):
            fn(x, approximate="cubic")


@pytest.mark.torch_version(">=1.12")
def test_gelu_tanh_matches_native() -> None:
    x = _x()
    back = BACKPORTS["nn.functional.gelu"](torch)(x, approximate="tanh")
    assert torch.allclose(back, F.gelu(x, approximate="tanh"), rtol=1e-12, atol=1e-12)


def test_backprop_through_backports() -> None:
    for name in sorted(NUMPY):
        x = _x(edges=False).requires_grad_()
        BACKPORTS["nn.functional." + name](torch)(x).sum().backward()
        assert x.grad is not None and bool(torch.isfinite(x.grad).all())
        own = getattr(F, name, None)
        if own is not None:
            x2 = _x(edges=False).requires_grad_()
            own(x2).sum().backward()
            assert torch.allclose(x.grad, x2.grad, rtol=1e-9, atol=1e-9), name


# -- modules ---------------------------------------------------------------------------------------

ALL_MODULES = ["Identity", "Flatten", "Unflatten", "SiLU", "GELU", "Mish", "Hardswish"]


@pytest.mark.parametrize("name", ALL_MODULES)
def test_module_native_identity_or_backport(name: str) -> None:
    cls = getattr(tc.nn, name)
    own = getattr(torch.nn, name, None)
    native_expected = own is not None and (name != "GELU" or tc.at_least("1.12"))
    if name == "Unflatten" and own is not None:  # 1.7-1.8: no -1 size
        try:
            native_expected = tuple(own(0, (2, -1))(torch.zeros(4)).shape) == (2, 2)
        except RuntimeError:
            native_expected = False
    assert (tc._bind().status("nn." + name) == "native") == native_expected
    if native_expected:
        assert cls is own
    else:
        assert cls is BACKPORTS["nn." + name](torch)
        assert issubclass(cls, torch.nn.Module)


@pytest.mark.parametrize("fn_name", sorted(MODULES))
def test_activation_modules_match_functional(fn_name: str) -> None:
    x = _x()
    cls = BACKPORTS["nn." + MODULES[fn_name]](torch)
    expected = NUMPY[fn_name](x.numpy())
    np.testing.assert_allclose(cls()(x).numpy(), expected, rtol=1e-12, atol=1e-12)
    own = getattr(torch.nn, MODULES[fn_name], None)
    if own is not None:
        assert torch.allclose(cls()(x), own()(x), rtol=1e-12, atol=1e-12)
        if fn_name != "gelu" or tc.at_least("1.12"):  # GELU's repr shows approximate= from 1.12 (quoted later)
            assert repr(cls()).replace("'", "") == repr(own()).replace("'", "")
    if fn_name != "gelu":
        y = x.clone()
        m = cls(inplace=True)
        m(y)
        np.testing.assert_allclose(y.numpy(), expected, rtol=1e-12, atol=1e-12)
        assert repr(m) == "%s(inplace=True)" % MODULES[fn_name]


def test_gelu_module_approximate() -> None:
    x = _x()
    for cls in (BACKPORTS["nn.GELU"](torch), tc.nn.GELU):
        m = cls(approximate="tanh")
        np.testing.assert_allclose(m(x).numpy(), _np_gelu_tanh(x.numpy()), rtol=1e-12, atol=1e-12)
        assert "approximate=" in repr(m) and "tanh" in repr(m)


def test_identity_and_flatten() -> None:
    x = torch.randn(2, 3, 4, 5)
    for Identity in (BACKPORTS["nn.Identity"](torch), tc.nn.Identity):
        assert Identity(54, unused="x")(x) is x
        assert list(Identity().parameters()) == []
    for Flatten in (BACKPORTS["nn.Flatten"](torch), tc.nn.Flatten):
        assert torch.equal(Flatten()(x), x.reshape(2, 60))
        assert torch.equal(Flatten(0, 2)(x), x.reshape(24, 5))
        assert torch.equal(Flatten(-2)(x), x.reshape(2, 3, 20))
        if hasattr(torch.nn, "Flatten"):
            assert torch.equal(Flatten(1, 2)(x), torch.nn.Flatten(1, 2)(x))
    assert repr(BACKPORTS["nn.Flatten"](torch)(0, 2)) == "Flatten(start_dim=0, end_dim=2)"  # torch's own from 1.7


def test_unflatten() -> None:
    x = torch.randn(2, 12, 5)
    for Unflatten in (BACKPORTS["nn.Unflatten"](torch), tc.nn.Unflatten):
        assert torch.equal(Unflatten(1, (3, 4))(x), x.reshape(2, 3, 4, 5))
        assert torch.equal(Unflatten(-2, [2, -1])(x), x.reshape(2, 2, 6, 5))
        assert torch.equal(Unflatten(-1, (5, 1))(x), x.reshape(2, 12, 5, 1))
        with pytest.raises(RuntimeError):
            Unflatten(1, (5, 5))(x)
        with pytest.raises(TypeError):
            Unflatten(1, (3.0, 4))
        if hasattr(torch.nn, "Unflatten"):
            assert torch.equal(Unflatten(1, (4, 3))(x), torch.nn.Unflatten(1, (4, 3))(x))
            assert repr(Unflatten(1, (4, 3))) == repr(torch.nn.Unflatten(1, (4, 3)))


def test_backported_module_in_a_model_trains_and_pickles() -> None:
    model = torch.nn.Sequential(
        torch.nn.Linear(4, 6),
        BACKPORTS["nn.SiLU"](torch)(),
        BACKPORTS["nn.Unflatten"](torch)(1, (2, 3)),
        BACKPORTS["nn.Flatten"](torch)(),
        BACKPORTS["nn.Identity"](torch)(),
        torch.nn.Linear(6, 1),
    )
    x = torch.randn(8, 4)
    model(x).sum().backward()
    assert model[0].weight.grad is not None
    buf = io.BytesIO()
    torch.save(model, buf)
    buf.seek(0)
    kwargs = {"weights_only": False} if tc.at_least("1.13") else {}
    again = torch.load(buf, **kwargs)
    assert type(again[1]) is type(model[1])
    assert torch.equal(again(x), model(x))
    assert pickle.loads(pickle.dumps(model[2])).unflattened_size == (2, 3)


def test_one_hot() -> None:
    idx = torch.tensor([[0, 2], [1, 3]])
    for fn in (BACKPORTS["nn.functional.one_hot"](torch), tc.nn.functional.one_hot):
        out = fn(idx)
        np.testing.assert_array_equal(out.numpy(), np.eye(4, dtype=np.int64)[idx.numpy()])
        assert out.dtype == torch.long
        assert tuple(fn(idx, 6).shape) == (2, 2, 6)
        assert tuple(fn(torch.zeros(0, dtype=torch.long), 3).shape) == (0, 3)
        for bad in ((idx, 3), (idx - 1, -1), (torch.zeros(0, dtype=torch.long), -1), (idx.double(), -1)):
            with pytest.raises(RuntimeError):
                fn(*bad)
    if hasattr(F, "one_hot"):
        assert tc.nn.functional.one_hot is F.one_hot
        assert torch.equal(BACKPORTS["nn.functional.one_hot"](torch)(idx, 5), F.one_hot(idx, 5))
