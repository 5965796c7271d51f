"""tc.checkpoint, tc.func.functional_call, tc.vmap, tc.compile."""

from __future__ import annotations

import types
import warnings

import pytest
import torch

import torchcompat as tc
from torchcompat.shifts.func import make_functional_call, make_vmap
from torchcompat.version import at_least

HAS_TORCH_FUNC = hasattr(torch, "func") or at_least("2.0")


def _torch_func(name):
    import importlib

    try:
        return getattr(importlib.import_module("torch.func"), name)
    except ImportError:
        return None


def _close(a, b):
    return torch.allclose(a, b, rtol=1e-5, atol=1e-6)


# -- checkpoint -------------------------------------------------------------------------------------


def _block():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))


def _grads(model, x, run):
    model.zero_grad()
    out = run(model, x)
    out.pow(2).sum().backward()
    return out.detach(), [p.grad.clone() for p in model.parameters()]


@pytest.mark.parametrize("use_reentrant", [None, True])
def test_checkpoint_matches_direct_call_without_any_warning(use_reentrant):
    model = _block()
    x = torch.randn(3, 4, requires_grad=True)
    kwargs = {} if use_reentrant is None else {"use_reentrant": use_reentrant}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # torch's own notice on CUDA builds without a GPU (1.10 - 1.13 checkpoint backward): this machine
        warnings.filterwarnings("ignore", message=".*CUDA is not available.*")
        out, grads = _grads(model, x, lambda m, inp: tc.checkpoint(m, inp, **kwargs))
    ref_out, ref_grads = _grads(model, x, lambda m, inp: m(inp))
    assert _close(out, ref_out)
    assert all(_close(g, r) for g, r in zip(grads, ref_grads))


def test_checkpoint_non_reentrant_gives_parameter_grads_for_inputs_without_grad():
    model = _block()
    x = torch.randn(3, 4)  # no requires_grad: the reentrant variant would give no parameter grads
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        out, grads = _grads(model, x, lambda m, inp: tc.checkpoint(m, inp, use_reentrant=False))
        _grads(model, x, lambda m, inp: tc.checkpoint(m, inp, use_reentrant=False))
    ref_out, ref_grads = _grads(model, x, lambda m, inp: m(inp))
    assert _close(out, ref_out)
    assert all(_close(g, r) for g, r in zip(grads, ref_grads))
    ours = [w for w in record if "tc.checkpoint" in str(w.message)]
    assert len(ours) == (0 if at_least("1.11") else 1)


def test_checkpoint_preserve_rng_state_is_accepted_everywhere():
    torch.manual_seed(1)
    x = torch.randn(5, 4, requires_grad=True)
    drop = torch.nn.Dropout(0.5)
    out = tc.checkpoint(drop, x, use_reentrant=True, preserve_rng_state=True)
    out.sum().backward()
    # the recomputed dropout mask in backward is the forward's one
    assert torch.equal((out != 0).float() * 2.0, x.grad)


# -- functional_call -----------------------------------------------------------------------------------


def _call_impls():
    impls = [tc.func.functional_call]
    if tc.func.functional_call is _torch_func("functional_call"):
        impls.append(make_functional_call(torch))  # the backport, checked against torch's own here
    return impls


CALLS = _call_impls()


def test_functional_call_native_where_torch_func_exists():
    native = _torch_func("functional_call")
    if native is not None:
        assert tc.func.functional_call is native
        assert tc._bind().status("func.functional_call") == "native"
    else:
        assert tc._bind().status("func.functional_call") == "backported"


@pytest.mark.parametrize("call", CALLS)
def test_functional_call_replaces_parameters_for_the_call_only(call):
    torch.manual_seed(0)
    lin = torch.nn.Linear(3, 2)
    before = [p.detach().clone() for p in lin.parameters()]
    w = torch.randn(2, 3, requires_grad=True)
    x = torch.randn(4, 3)
    out = call(lin, {"weight": w}, (x,))
    assert _close(out, x.matmul(w.t()) + lin.bias)
    out.sum().backward()
    assert _close(w.grad, torch.ones(4, 2).t().matmul(x))
    assert lin.weight.grad is None
    assert all(torch.equal(p, b) for p, b in zip(lin.parameters(), before))
    assert isinstance(lin.weight, torch.nn.Parameter)
    # a single argument need not be a tuple; several dicts are merged
    b = torch.zeros(2)
    assert _close(call(lin, ({"weight": w}, {"bias": b}), x), x.matmul(w.t()))


@pytest.mark.parametrize("call", CALLS)
def test_functional_call_buffers_and_kwargs(call):
    bn = torch.nn.BatchNorm1d(3).eval()
    x = torch.randn(5, 3)
    mean = torch.tensor([1.0, 2.0, 3.0])
    out = call(bn, {"running_mean": mean}, (x,))
    expected = (x - mean) / torch.sqrt(bn.running_var + bn.eps) * bn.weight + bn.bias  # 1.0 inits weight randomly
    assert _close(out, expected)
    assert torch.equal(bn.running_mean, torch.zeros(3))

    class Scale(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.s = torch.nn.Parameter(torch.tensor(2.0))

        def forward(self, x, shift=0.0):
            return x * self.s + shift

    assert _close(call(Scale(), {"s": torch.tensor(3.0)}, (x,), {"shift": 1.0}), x * 3 + 1)


@pytest.mark.parametrize("call", CALLS)
def test_functional_call_errors_and_restores(call):
    lin = torch.nn.Linear(2, 2)
    weight = lin.weight
    with pytest.raises(ValueError, match="multiple dictionaries"):
        call(lin, ({"bias": torch.zeros(2)}, {"bias": torch.ones(2)}), torch.ones(1, 2))
    with pytest.raises(RuntimeError, match="Missing key"):
        call(lin, {"weight": torch.zeros(2, 2)}, torch.ones(1, 2), strict=True)
    with pytest.raises(RuntimeError):
        call(lin, {"weight": torch.zeros(3, 3)}, torch.ones(1, 2))  # shape error inside forward
    assert lin.weight is weight


class Tied(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Linear(2, 2, bias=False)
        self.b = torch.nn.Linear(2, 2, bias=False)
        self.b.weight = self.a.weight

    def forward(self, x):
        return self.b(self.a(x))


@pytest.mark.parametrize("call", CALLS)
def test_functional_call_tied_weights(call):
    torch.manual_seed(0)
    m = Tied()
    x = torch.randn(3, 2)
    w = torch.randn(2, 2)
    assert _close(call(m, {"a.weight": w}, x), x.matmul(w.t()).matmul(w.t()))
    untied = call(m, {"a.weight": w}, x, tie_weights=False)
    assert _close(untied, x.matmul(w.t()).matmul(m.a.weight.t()))
    with pytest.raises(ValueError, match="tied"):
        call(m, {"a.weight": w, "b.weight": w + 1}, x)


@pytest.mark.skipif(_torch_func("functional_call") is None, reason="compares with torch.func (torch >= 2.0)")
def test_functional_call_backport_matches_torch_func_messages():
    native, ours = _torch_func("functional_call"), make_functional_call(torch)
    lin = torch.nn.Linear(2, 2)
    for bad in [{"nope": torch.zeros(1)}, {"weight": torch.zeros(2, 2)}]:
        with pytest.raises(RuntimeError) as a:
            native(lin, bad, torch.ones(1, 2), strict=True)
        with pytest.raises(RuntimeError) as b:
            ours(lin, bad, torch.ones(1, 2), strict=True)
        assert str(a.value) == str(b.value)


# -- vmap -------------------------------------------------------------------------------------------------


def _vmap_impls():
    impls = [tc.vmap]
    if tc._bind().status("vmap") == "native":
        impls.append(make_vmap(torch))  # the loop fallback, checked against torch's own here
    return impls


VMAPS = _vmap_impls()


def test_vmap_is_torch_func_vmap_where_it_exists():
    native = _torch_func("vmap")
    if native is not None:
        assert tc.vmap is native and tc.func.vmap is native
    else:
        assert tc.func.vmap is tc.vmap


@pytest.mark.parametrize("vmap", VMAPS)
def test_vmap_results(vmap):
    torch.manual_seed(0)
    a, b = torch.randn(5, 3), torch.randn(5, 3)
    assert _close(vmap(torch.dot)(a, b), (a * b).sum(1))
    w = torch.randn(3, 4)
    assert _close(vmap(torch.matmul, in_dims=(0, None))(a, w), a.matmul(w))
    assert _close(vmap(torch.dot, in_dims=1)(a.t(), b.t()), (a * b).sum(1))
    assert _close(vmap(lambda x: x * 2, out_dims=1)(a), (a * 2).t())
    assert _close(vmap(lambda x: x.sum(), in_dims=-1)(a), a.sum(0))
    first, second = vmap(lambda x: (x.sum(), x * 3), out_dims=(0, 1))(a)
    assert _close(first, a.sum(1)) and _close(second, (a * 3).t())
    got = vmap(lambda d: d["x"] + d["y"], in_dims=({"x": 0, "y": None},))({"x": a, "y": b[0]})
    assert _close(got, a + b[0])
    assert _close(vmap(lambda x, scale=1.0: x * scale)(a, scale=4.0), a * 4)
    nested = vmap(vmap(torch.dot))(torch.randn(2, 3, 4).add(a.sum()), torch.ones(2, 3, 4))
    assert nested.shape == (2, 3)


@pytest.mark.parametrize("vmap", VMAPS)
def test_vmap_errors(vmap):
    with pytest.raises(ValueError):
        vmap(torch.dot)(torch.ones(2, 3), torch.ones(4, 3))
    with pytest.raises(ValueError):
        vmap(torch.dot, in_dims=(0, 0, 0))(torch.ones(2, 3), torch.ones(2, 3))
    with pytest.raises(ValueError):
        vmap(lambda x: x, in_dims=None)(torch.ones(2))


@pytest.mark.skipif(_torch_func("vmap") is None, reason="compares with torch.func.vmap (torch >= 2.0)")
def test_vmap_loop_matches_torch_func_vmap():
    native, loop = _torch_func("vmap"), make_vmap(torch)
    torch.manual_seed(0)
    x, y = torch.randn(4, 3, 2), torch.randn(3, 4)
    cases = [
        (lambda u, v: u.sum(0) * v.mean(), (1, 0), 0),
        (lambda u, v: (u.t() @ v[:3].unsqueeze(-1), v.max()), (0, 1), (2, 0)),
        (lambda u, v: {"p": u + 1, "q": v}, (1, 0), {"p": -1, "q": 0}),
    ]
    for fn, in_dims, out_dims in cases:
        a = native(fn, in_dims, out_dims)(x, y)
        b = loop(fn, in_dims, out_dims)(x, y)
        fa, fb = (list(a.values()) if isinstance(a, dict) else a), (list(b.values()) if isinstance(b, dict) else b)
        for p, q in zip(fa if isinstance(fa, (list, tuple)) else [fa], fb if isinstance(fb, (list, tuple)) else [fb]):
            assert p.shape == q.shape and _close(p, q)


# -- compile -------------------------------------------------------------------------------------------


def test_compile_is_native_where_torch_has_it():
    if hasattr(torch, "compile"):
        assert tc.compile is torch.compile
    else:
        assert tc._bind().status("compile") == "backported"


def _emulated_without_compile():
    fake = types.ModuleType("torch")
    fake.__version__ = "1.13.1"
    fake.__torchcompat_emulated__ = True
    return fake


@pytest.mark.parametrize("where", ["emulated", "real"])
def test_compile_fallback_is_identity_with_one_warning(where):
    if where == "real" and hasattr(torch, "compile"):
        pytest.skip("torch.compile exists here: tc.compile is torch's own")
    compile = tc.bind(_emulated_without_compile()).compile if where == "emulated" else tc.compile
    model = torch.nn.Linear(2, 2)

    def fn(x):
        return x + 1

    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        assert compile(model) is model
        assert compile(fn, mode="max-autotune") is fn
        assert compile(backend="eager")(fn) is fn
    if where == "emulated":
        assert len([w for w in record if "tc.compile" in str(w.message)]) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tc.bind(_emulated_without_compile()).compile(fn, disable=True) is fn


# -- torch.library.register_fake -------------------------------------------------------------------------


def test_register_fake_native_or_a_clear_error():
    library = getattr(torch, "library", None)
    native = getattr(library, "register_fake", None) or getattr(library, "impl_abstract", None)
    if native is not None:
        assert tc.library.register_fake is native
    else:
        with pytest.raises(tc.registry.UnsupportedError, match="2.1"):
            tc.library.register_fake("ns::op")


@pytest.mark.skipif(not hasattr(getattr(torch, "library", None), "custom_op"), reason="torch.library.custom_op: 2.4+")
def test_register_fake_gives_shapes_under_fake_tensors():
    from torch._subclasses.fake_tensor import FakeTensorMode

    def twice(x):
        return x * 2

    # real annotations, not PEP 563 strings: torch 2.4's infer_schema cannot read strings
    twice.__annotations__ = {"x": torch.Tensor, "return": torch.Tensor}
    twice = torch.library.custom_op("torchcompat_test::twice", mutates_args=())(twice)

    @tc.library.register_fake("torchcompat_test::twice")
    def _(x):
        return torch.empty_like(x)

    assert torch.equal(twice(torch.ones(2)), torch.full((2,), 2.0))
    with FakeTensorMode():
        out = torch.ops.torchcompat_test.twice(torch.empty(3, 4))
    assert out.shape == (3, 4)
