"""The first adapters (autograd and tensor) on the real torch: native identity where torch has the
API, and results that match the native API or NumPy where a backport runs."""

from __future__ import annotations

import numpy
import pytest
import torch

import torchcompat as tc
from torchcompat import version

NATIVE_WHEN_PRESENT = [
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "inference_mode",
    "tensor",
    "device",
]


@pytest.mark.parametrize("name", NATIVE_WHEN_PRESENT)
def test_adapter_is_torch_object_where_torch_has_it(name):
    if hasattr(torch, name):
        assert getattr(tc, name) is getattr(torch, name)
    else:
        assert getattr(tc, name) is not None


def test_item_is_tensor_item():
    assert tc.item is torch.Tensor.item
    assert tc.item(torch.tensor(2.5)) == 2.5
    assert tc.item(torch.ones(1, 1) * 3) == 3.0
    assert isinstance(tc.item(torch.tensor(7)), int)
    with pytest.raises((ValueError, RuntimeError)):
        tc.item(torch.ones(2))


def test_grad_modes_record_no_graph():
    x = torch.ones(3, requires_grad=True)
    with tc.no_grad():
        assert not tc.is_grad_enabled()
        assert not (x * 2).requires_grad
        with tc.enable_grad():
            assert (x * 2).requires_grad
    with tc.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert tc.is_grad_enabled()
    with tc.inference_mode():
        assert not (x * 2).requires_grad
    with tc.inference_mode(False):
        assert (x * 2).requires_grad

    @tc.inference_mode()
    def f(t):
        return t * 2

    assert not f(x).requires_grad


def test_variable_is_a_leaf_tensor():
    base = torch.arange(3.0)
    v = tc.variable(base, requires_grad=True)
    assert isinstance(v, torch.Tensor) and v.requires_grad and v.is_leaf
    (v * 2).sum().backward()
    assert torch.equal(v.grad, torch.full((3,), 2.0))
    assert not base.requires_grad
    w = tc.variable([1.0, 2.0])
    assert torch.equal(w, torch.tensor([1.0, 2.0])) and not w.requires_grad
    vol = tc.variable(base, volatile=True)
    assert not vol.requires_grad
    with pytest.raises(ValueError):
        tc.variable(base, requires_grad=True, volatile=True)


def test_to_numpy_detaches():
    x = torch.arange(4.0, requires_grad=True) * 2
    arr = tc.to_numpy(x)
    assert isinstance(arr, numpy.ndarray)
    numpy.testing.assert_array_equal(arr, numpy.arange(4.0) * 2)


def test_to_moves_dtype_and_device():
    x = torch.arange(3)
    y = tc.to(x, dtype=torch.float64)
    assert y.dtype == torch.float64 and torch.equal(y, x.double())
    z = tc.to(x, device="cpu", non_blocking=True)
    assert z.device == torch.device("cpu")
    assert tc.to(x, tc.device("cpu")).device.type == "cpu"


def test_bool_mask_selects_like_a_bool_mask():
    x = torch.arange(5.0)
    m = tc.bool_mask(torch.tensor([1, 0, 1, 0, 1], dtype=torch.uint8))
    assert torch.equal(x[m], torch.tensor([0.0, 2.0, 4.0]))
    assert torch.equal(x.masked_fill(m, -1.0), torch.tensor([-1.0, 1.0, -1.0, 3.0, -1.0]))
    if hasattr(torch.Tensor, "bool"):  # 1.1 lists a torch.bool dtype but has no Tensor.bool (nor bool indexing)
        assert m.dtype == torch.bool
    else:
        assert m.dtype == torch.uint8


A = [-7, 7, -8, 5, 0, -1, 9]
B = [2, -2, 3, 5, 3, 4, -4]


@pytest.mark.parametrize("dtype", ["int64", "float32", "float64"])
def test_div_rounding_modes_match_python(dtype):
    tdt = getattr(torch, dtype)
    a = torch.tensor(A).to(tdt)
    b = torch.tensor(B).to(tdt)
    floor = tc.div(a, b, rounding_mode="floor")
    trunc = tc.div(a, b, rounding_mode="trunc")
    true = tc.div(a, b)
    assert floor.tolist() == [x // y for x, y in zip(A, B)]
    assert trunc.tolist() == [int(x / y) for x, y in zip(A, B)]
    numpy.testing.assert_allclose(true.numpy(), numpy.array(A) / numpy.array(B), rtol=1e-6)
    if dtype == "int64":
        assert floor.dtype == torch.int64 and trunc.dtype == torch.int64
        assert true.is_floating_point()
    assert tc.div(a, 2, rounding_mode="floor").tolist() == [x // 2 for x in A]
    with pytest.raises((ValueError, RuntimeError)):
        tc.div(a, b, rounding_mode="round")


def test_floor_divide_floors_on_every_release():
    a = torch.tensor(A)
    assert tc.floor_divide(a, torch.tensor(B)).tolist() == [x // y for x, y in zip(A, B)]
    assert tc.floor_divide(a, 2).tolist() == [x // 2 for x in A]
    assert tc.floor_divide(a, -3).tolist() == [x // -3 for x in A]
    big = torch.tensor([2**62 + 1, -(2**62) - 1])
    assert tc.floor_divide(big, 3).tolist() == [(2**62 + 1) // 3, (-(2**62) - 1) // 3]
    if version.at_least("1.13"):
        assert tc.floor_divide is torch.floor_divide


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid_matches_numpy(indexing):
    x, y, z = torch.arange(3), torch.arange(4), torch.arange(2)
    got = tc.meshgrid(x, y, z, indexing=indexing)
    want = numpy.meshgrid(x.numpy(), y.numpy(), z.numpy(), indexing=indexing)
    assert len(got) == 3
    for g, w in zip(got, want):
        numpy.testing.assert_array_equal(g.numpy(), w)
    got2 = tc.meshgrid([x, y], indexing=indexing)
    for g, w in zip(got2, numpy.meshgrid(x.numpy(), y.numpy(), indexing=indexing)):
        numpy.testing.assert_array_equal(g.numpy(), w)


@pytest.mark.parametrize("set_to_none", [False, True])
@pytest.mark.parametrize("target", ["optimizer", "module"])
def test_zero_grad_same_default_everywhere(set_to_none, target):
    model = torch.nn.Linear(2, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    model(torch.ones(1, 2)).sum().backward()
    obj = opt if target == "optimizer" else model
    if set_to_none:
        tc.zero_grad(obj, set_to_none=True)
        assert all(p.grad is None for p in model.parameters())
    else:
        tc.zero_grad(obj)
        assert all(p.grad is not None and float(p.grad.abs().sum()) == 0.0 for p in model.parameters())


def test_tensor_and_device_work():
    t = tc.tensor([1, 2, 3])
    assert t.dtype == torch.int64 and t.tolist() == [1, 2, 3]
    assert tc.tensor([1.5]).dtype == torch.get_default_dtype()
    assert str(tc.device("cpu")) == "cpu"
