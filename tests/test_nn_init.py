"""nn.init: every underscore initialiser of the newest torch on every release (native where present),
trunc_normal_ and the 'selu' gain backported where missing, 0.3's old names behind an EMULATED surface."""

from __future__ import annotations

import math
import types

import numpy as np
import pytest
import torch

import torchcompat as tc
from torchcompat.shifts.nn import BACKPORTS, INIT_NAMES


@pytest.mark.parametrize("name", INIT_NAMES)
def test_every_init_name_resolves(name: str) -> None:
    fn = getattr(tc.nn.init, name)
    own = getattr(torch.nn.init, name, None)
    status = tc._bind().status("nn.init." + name)
    assert status in ("native", "backported")
    if own is not None and status == "native":
        assert fn is own
    if own is None or status == "backported":
        assert fn is BACKPORTS["nn.init." + name](torch)
    w = torch.empty(6, 5, 3) if name == "dirac_" else torch.empty(6, 5)
    args = {"constant_": (0.5,), "sparse_": (0.5,)}.get(name, ())
    out = fn(w, *args)
    assert out is w
    assert bool(torch.isfinite(w).all())


def test_only_missing_or_changed_names_are_backported() -> None:
    selu = True
    try:
        torch.nn.init.calculate_gain("selu")
    except ValueError:
        selu = False
    for name in INIT_NAMES:
        expect_native = hasattr(torch.nn.init, name) and (selu or not name.startswith("kaiming"))
        assert (tc._bind().status("nn.init." + name) == "native") == expect_native, name


def _seeded(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    torch.manual_seed(1234)
    w = torch.empty(64, 32, 3, dtype=torch.float64)
    return fn(w, *args, **kwargs)


@pytest.mark.parametrize("name", ["kaiming_uniform_", "kaiming_normal_"])
def test_kaiming_backport_equals_native_for_known_gains(name: str) -> None:
    back = BACKPORTS["nn.init." + name](torch)
    own = getattr(torch.nn.init, name)
    for kw in ({}, {"a": 0.2, "mode": "fan_out"}, {"nonlinearity": "relu"}, {"nonlinearity": "tanh"}):
        assert torch.equal(_seeded(back, **kw), _seeded(own, **kw)), kw


@pytest.mark.parametrize("name", ["kaiming_uniform_", "kaiming_normal_"])
def test_kaiming_selu(name: str) -> None:
    fn = getattr(tc.nn.init, name)
    fan_in, fan_out = 32 * 3, 64 * 3
    for mode, fan in (("fan_in", fan_in), ("fan_out", fan_out)):
        w = _seeded(fn, mode=mode, nonlinearity="selu")
        std = 0.75 / math.sqrt(fan)
        if name == "kaiming_uniform_":
            bound = math.sqrt(3.0) * std
            assert float(w.abs().max()) <= bound
            assert float(w.abs().max()) > 0.95 * bound
        else:
            assert abs(float(w.std()) - std) < 0.05 * std
    with pytest.raises(ValueError):
        fn(torch.empty(3, 3), mode="fan_middle", nonlinearity="selu")
    with pytest.raises(ValueError):
        fn(torch.empty(3), nonlinearity="selu")
    try:
        own = _seeded(getattr(torch.nn.init, name), nonlinearity="selu")
    except ValueError:  # torch without 'selu' (1.0-1.7)
        return
    assert torch.equal(_seeded(BACKPORTS["nn.init." + name](torch), nonlinearity="selu"), own)


def test_calculate_gain() -> None:
    for fn in (tc.nn.init.calculate_gain, BACKPORTS["nn.init.calculate_gain"](torch)):
        assert fn("selu") == 0.75
        assert fn("relu") == math.sqrt(2.0)
        assert fn("leaky_relu", 0.2) == math.sqrt(2.0 / (1 + 0.2**2))
        assert fn("tanh") == 5.0 / 3
        with pytest.raises(ValueError):
            fn("no-such-nonlinearity")


def _truncnorm_moments(mean: float, std: float, a: float, b: float):  # type: ignore[no-untyped-def]
    alpha, beta = (a - mean) / std, (b - mean) / std

    def pdf(x: float) -> float:
        return math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)

    def cdf(x: float) -> float:
        return 0.5 * (1 + math.erf(x / math.sqrt(2)))

    z = cdf(beta) - cdf(alpha)
    m = mean + std * (pdf(alpha) - pdf(beta)) / z
    var = std**2 * (1 + (alpha * pdf(alpha) - beta * pdf(beta)) / z - ((pdf(alpha) - pdf(beta)) / z) ** 2)
    return m, math.sqrt(var)


@pytest.mark.parametrize("params", [(0.0, 1.0, -2.0, 2.0), (1.0, 0.5, 0.0, 3.0), (0.0, 0.02, -0.04, 0.01)])
def test_trunc_normal_distribution(params) -> None:  # type: ignore[no-untyped-def]
    mean, std, a, b = params
    expected_mean, expected_std = _truncnorm_moments(mean, std, a, b)
    fns = [BACKPORTS["nn.init.trunc_normal_"](torch), tc.nn.init.trunc_normal_]
    if hasattr(torch.nn.init, "trunc_normal_"):
        fns.append(torch.nn.init.trunc_normal_)
    for fn in fns:
        torch.manual_seed(0)
        w = torch.empty(400, 500, dtype=torch.float64)
        assert fn(w, mean, std, a, b) is w
        values = w.numpy()
        assert values.min() >= a and values.max() <= b
        assert abs(values.mean() - expected_mean) < 0.01 * std
        assert abs(values.std() - expected_std) < 0.01 * std
        # the shape of the distribution: the empirical CDF at the truncated median
        assert abs(np.mean(values <= np.median(values)) - 0.5) < 1e-3


def test_trunc_normal_warns_far_mean() -> None:
    with pytest.warns(UserWarning):
        BACKPORTS["nn.init.trunc_normal_"](torch)(torch.empty(3), mean=10.0, std=1.0, a=-2.0, b=2.0)


def test_old_names_serve_underscore_adapters_on_emulated_03() -> None:
    """EMULATED torch 0.3 nn.init: only the names without the underscore exist (pytorch/pytorch#6093)."""
    init = types.ModuleType("torch03.nn.init")
    init.xavier_uniform = torch.nn.init.xavier_uniform_
    init.kaiming_normal = torch.nn.init.kaiming_normal_
    init.calculate_gain = torch.nn.init.calculate_gain
    fake = types.ModuleType("torch03_emulated")
    fake.__version__ = "0.3.1"
    fake.__torchcompat_emulated__ = True
    fake.nn = types.ModuleType("torch03.nn")
    fake.nn.init = init
    fake.no_grad = torch.no_grad
    old = tc.bind(fake)
    assert old.nn.init.xavier_uniform_ is init.xavier_uniform
    w = torch.empty(3, 4)
    assert old.nn.init.xavier_uniform_(w) is w
    assert float(w.abs().max()) <= math.sqrt(6.0 / 7)
    with pytest.raises(tc.registry.UnsupportedError, match="0.4"):
        old.nn.init.orthogonal_(w)
    assert torch.equal(_seeded(old.nn.init.kaiming_normal_), _seeded(torch.nn.init.kaiming_normal_))
