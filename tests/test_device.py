"""tc.accelerator(): the best available device, without initialising CUDA."""

from __future__ import annotations

import types

import pytest
import torch

import torchcompat as tc
from tests import fresh


def _cuda_initialized():
    if hasattr(torch.cuda, "is_initialized"):
        return torch.cuda.is_initialized()
    return bool(getattr(torch.cuda, "_initialized", False))


def _expected_type():
    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(getattr(torch, "backends", None), "mps", None)
    if mps is not None and hasattr(mps, "is_available") and mps.is_available():
        return "mps"
    xpu = getattr(torch, "xpu", None)
    if xpu is not None and hasattr(xpu, "is_available") and xpu.is_available():
        return "xpu"
    return "cpu"


def test_returns_the_best_available_device():
    device = tc.accelerator()
    assert isinstance(device, torch.device)
    assert device.type == _expected_type()
    assert torch.zeros(2, device=device).device.type == device.type


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the machine without CUDA")
def test_cpu_here_and_cuda_stays_uninitialised():
    # a fresh interpreter: nothing else in the test session may have touched CUDA first
    assert fresh.fact("device") == {"type": _expected_type(), "cuda_initialized": False}
    assert tc.accelerator().type == "cpu"
    assert not _cuda_initialized()


def test_falls_through_to_torch_accelerator_where_it_exists():
    if hasattr(torch, "accelerator") and hasattr(torch.accelerator, "device_count"):
        assert tc.accelerator.device_count is torch.accelerator.device_count
        assert tc.accelerator.is_available() == (_expected_type() != "cpu")
    else:
        with pytest.raises(AttributeError, match="2.6"):
            tc.accelerator.device_count  # noqa: B018


def _emulated(cuda=False, mps=None, xpu=None):
    """An emulated torch < 2.6 (no torch.accelerator) whose device probes answer as asked."""
    fake = types.ModuleType("torch")
    fake.__version__ = "1.13.0"
    fake.__torchcompat_emulated__ = True
    fake.device = lambda kind: "device:" + kind  # torch.device("mps") needs a torch that knows mps
    fake.cuda = types.SimpleNamespace(is_available=lambda: cuda)
    if mps is not None:
        fake.backends = types.SimpleNamespace(mps=types.SimpleNamespace(is_available=lambda: mps))
    if xpu is not None:
        fake.xpu = types.SimpleNamespace(is_available=lambda: xpu)
    return fake


@pytest.mark.parametrize(
    "probes, expected",
    [
        ({}, "cpu"),
        ({"cuda": True, "mps": True}, "cuda"),
        ({"mps": True, "xpu": True}, "mps"),
        ({"mps": False, "xpu": True}, "xpu"),
        ({"mps": False, "xpu": False}, "cpu"),
    ],
)
def test_emulated_probe_order(probes, expected):
    """Emulated torch 1.13 surfaces: the probe order cuda > mps > xpu > cpu."""
    assert tc.bind(_emulated(**probes)).accelerator() == "device:" + expected
