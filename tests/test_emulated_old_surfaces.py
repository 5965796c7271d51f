"""The autograd adapters on EMULATED torch 0.3 and 0.4 surfaces (tests/emulated.py).

PyPI has no torch older than 1.0, so these bind the registry to small emulations of the old
surfaces; they check the adapters' decisions and backports, not torch 0.3 itself."""

from __future__ import annotations

import numpy
import pytest
import torch

import torchcompat
from tests import emulated
from torchcompat.registry import BACKPORTED, NATIVE, Binding


@pytest.fixture
def t03():
    return emulated.torch03()


@pytest.fixture
def tc03(t03):
    return torchcompat.bind(t03)


def test_emulated_03_statuses(t03):
    b = Binding(t03)
    for name in (
        "no_grad",
        "enable_grad",
        "set_grad_enabled",
        "is_grad_enabled",
        "inference_mode",
        "variable",
        "item",
        "tensor",
        "device",
        "to_numpy",
    ):
        assert b.status(name) == BACKPORTED, name


def test_emulated_03_no_grad_makes_variables_volatile(t03, tc03):
    data = t03.FloatTensor([1.0, 2.0, 3.0])
    v = tc03.variable(data, requires_grad=True)
    assert v.requires_grad and not v.volatile
    assert (v * 2).requires_grad
    with tc03.no_grad():
        assert not tc03.is_grad_enabled()
        w = tc03.variable(data)
        assert w.volatile
        out = (w * 2 + v).sum()  # volatile propagates through ops, as in 0.3
        assert out.volatile and not out.requires_grad and out.grad_fn is None
        with tc03.enable_grad():
            assert tc03.is_grad_enabled()
            assert not tc03.variable(data).volatile
        with pytest.raises(ValueError):
            tc03.variable(data, requires_grad=True)
    assert tc03.is_grad_enabled()
    assert not tc03.variable(data).volatile


def test_emulated_03_set_grad_enabled_call_context_and_decorator(t03, tc03):
    data = t03.FloatTensor([1.0])
    with tc03.set_grad_enabled(False):
        assert tc03.variable(data).volatile
    assert tc03.is_grad_enabled()
    tc03.set_grad_enabled(False)
    assert not tc03.is_grad_enabled()
    tc03.set_grad_enabled(True)
    assert tc03.is_grad_enabled()

    @tc03.set_grad_enabled(False)
    def make():
        return tc03.variable(data)

    assert tc03.is_grad_enabled()
    assert make().volatile

    @tc03.inference_mode()
    def infer():
        return tc03.variable(data)

    assert infer().volatile and tc03.is_grad_enabled()


def test_emulated_03_item_and_to_numpy(t03, tc03):
    loss = tc03.variable(t03.FloatTensor([1.5, 2.5])).sum()  # a 1-element Variable, as 0.3 losses were
    assert tc03.item(loss) == 4.0
    assert isinstance(tc03.item(loss), float)
    assert tc03.item(t03.LongTensor([7])) == 7
    with pytest.raises(ValueError):
        tc03.item(t03.FloatTensor([1.0, 2.0]))
    with pytest.raises(TypeError):
        tc03.item(3.0)
    arr = tc03.to_numpy(tc03.variable(t03.FloatTensor([1.0, 2.0]), requires_grad=True))
    numpy.testing.assert_array_equal(arr, numpy.array([1.0, 2.0], dtype=numpy.float32))


def test_emulated_03_tensor_infers_legacy_types(t03, tc03):
    assert isinstance(tc03.tensor([1, 2]), t03.LongTensor)
    assert isinstance(tc03.tensor([1.0, 2.0]), t03.FloatTensor)
    assert isinstance(tc03.tensor([True, False]), t03.ByteTensor)
    assert isinstance(tc03.tensor([1, 2], dtype=t03.DoubleTensor), t03.DoubleTensor)
    v = tc03.tensor([1.0], requires_grad=True)
    assert isinstance(v, t03.autograd.Variable) and v.requires_grad


def test_emulated_03_device(tc03):
    d = tc03.device("cuda:1")
    assert (d.type, d.index, str(d)) == ("cuda", 1, "cuda:1")
    assert tc03.device("cpu") == tc03.device("cpu")
    with pytest.raises(RuntimeError):
        tc03.device("tpu")


@pytest.fixture
def t04():
    return emulated.torch04()


def test_emulated_04_native_grad_mode_and_inference_fallback(t04):
    b = Binding(t04)
    for name in ("no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "tensor", "device", "item"):
        assert b.status(name) == NATIVE, name
        assert b.resolve(name) is getattr(t04, name) if name != "item" else b.resolve(name) is torch.Tensor.item
    assert b.status("inference_mode") == BACKPORTED
    tc04 = b.namespace()
    x = torch.ones(2, requires_grad=True)
    with tc04.inference_mode():
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad


def test_emulated_04_div_floor_divide_meshgrid_backports(t04):
    b = Binding(t04)
    for name in ("div", "floor_divide", "meshgrid"):
        assert b.status(name) == BACKPORTED, name
    tc04 = b.namespace()
    a, d = [-7, 7, -8, 5], [2, -2, 3, 5]
    ta, td = torch.tensor(a), torch.tensor(d)
    assert tc04.div(ta, td, rounding_mode="floor").tolist() == [x // y for x, y in zip(a, d)]
    assert tc04.div(ta, td, rounding_mode="trunc").tolist() == [int(x / y) for x, y in zip(a, d)]
    assert tc04.floor_divide(ta, 2).tolist() == [x // 2 for x in a]
    numpy.testing.assert_allclose(tc04.div(ta, td).numpy(), numpy.array(a) / numpy.array(d), rtol=1e-6)
    gx, gy = tc04.meshgrid(torch.arange(3), torch.arange(2), indexing="xy")
    want = numpy.meshgrid(numpy.arange(3), numpy.arange(2), indexing="xy")
    numpy.testing.assert_array_equal(gx.numpy(), want[0])
    numpy.testing.assert_array_equal(gy.numpy(), want[1])


def test_emulated_04_zero_grad_set_to_none_by_hand(t04):
    tc04 = torchcompat.bind(t04)
    model = torch.nn.Linear(2, 1)
    opt = t04.optim.SGD(model.parameters(), lr=0.1)
    model(torch.ones(1, 2)).sum().backward()
    tc04.zero_grad(opt)
    assert all(float(p.grad.abs().sum()) == 0 for p in model.parameters())
    tc04.zero_grad(opt, set_to_none=True)
    assert all(p.grad is None for p in model.parameters())
