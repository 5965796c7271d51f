"""tc.fft: the torch.fft module functions, the real backports (fftfreq, fftshift ...), and the legacy real-pair
functions (rfft_legacy ...) checked against NumPy formulas on every release, and against torch 1.0.1's own
torch.rfft & co. when that venv is on this machine."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import torch

import torchcompat as tc
from tests import fresh, places, procs
from torchcompat.registry import BACKPORTED, NATIVE, UNAVAILABLE, Binding, UnsupportedError
from torchcompat.shifts import fft as fft_shifts

BINDING = Binding(torch)
ENV_FFT = BINDING.env
HAS_FFT_MODULE = BINDING.status("fft.fftn") == NATIVE
IS_T10 = torch.__version__.startswith("1.0.")
T10_PYTHON = places.T10_PYTHON


def _rng(seed: int = 0) -> np.random.RandomState:
    return np.random.RandomState(seed)


def _pair(c: np.ndarray) -> np.ndarray:
    return np.stack([c.real, c.imag], -1)


def _complex(p: np.ndarray) -> np.ndarray:
    return p[..., 0] + 1j * p[..., 1]


def _axes(signal_ndim: int):
    return tuple(range(-signal_ndim, 0))


def _norm(normalized: bool):
    return "ortho" if normalized else None


# -- legacy real-pair functions ------------------------------------------------------------------------------


def test_legacy_status():
    for old in ("fft", "ifft", "rfft", "irfft"):
        status = BINDING.status("fft.%s_legacy" % old)
        own = getattr(torch, old, None)
        if callable(own) and not isinstance(own, type(torch)) and hasattr(torch, "rfft"):
            assert status == NATIVE
            assert BINDING.resolve("fft.%s_legacy" % old) is own
        else:
            assert status == BACKPORTED


@pytest.mark.parametrize("signal_ndim", [1, 2, 3])
@pytest.mark.parametrize("normalized", [False, True])
@pytest.mark.parametrize("onesided", [True, False])
def test_rfft_legacy_matches_numpy(signal_ndim, normalized, onesided):
    x = _rng(signal_ndim).randn(2, 4, 6, 5)
    out = tc.fft.rfft_legacy(torch.from_numpy(x), signal_ndim, normalized=normalized, onesided=onesided)
    fn = np.fft.rfftn if onesided else np.fft.fftn
    want = _pair(fn(x, axes=_axes(signal_ndim), norm=_norm(normalized)))
    assert out.dtype == torch.float64
    assert tuple(out.shape) == want.shape
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-10, atol=1e-10)


def test_rfft_legacy_float32_positional():
    x = _rng(3).randn(3, 8).astype(np.float32)
    out = tc.fft.rfft_legacy(torch.from_numpy(x), 1, True, False)  # the old positional order
    assert out.dtype == torch.float32
    np.testing.assert_allclose(out.numpy(), _pair(np.fft.fft(x, norm="ortho")), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("signal_ndim", [1, 2, 3])
@pytest.mark.parametrize("normalized", [False, True])
@pytest.mark.parametrize("inverse", [False, True])
def test_fft_ifft_legacy_match_numpy(signal_ndim, normalized, inverse):
    p = _rng(10 + signal_ndim).randn(2, 3, 4, 5, 2)
    fn = tc.fft.ifft_legacy if inverse else tc.fft.fft_legacy
    out = fn(torch.from_numpy(p), signal_ndim, normalized=normalized)
    ref = np.fft.ifftn if inverse else np.fft.fftn
    want = _pair(ref(_complex(p), axes=_axes(signal_ndim), norm=_norm(normalized)))
    assert tuple(out.shape) == want.shape
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-10, atol=1e-10)


def test_fft_legacy_accepts_non_contiguous_pairs():
    p = _rng(4).randn(5, 6, 2)
    t = torch.from_numpy(p).transpose(0, 1)  # non-contiguous, pairs still last
    out = tc.fft.fft_legacy(t, 1)
    want = _pair(np.fft.fft(_complex(p.transpose(1, 0, 2)), axis=-1))
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("signal_ndim", [1, 2, 3])
@pytest.mark.parametrize("normalized", [False, True])
@pytest.mark.parametrize("last", [6, 7])
def test_irfft_legacy_roundtrip_with_signal_sizes(signal_ndim, normalized, last):
    x = _rng(20 + last).randn(2, 3, 4, last)
    half = np.fft.rfftn(x, axes=_axes(signal_ndim), norm=_norm(normalized))
    sizes = x.shape[-signal_ndim:]
    out = tc.fft.irfft_legacy(torch.from_numpy(_pair(half)), signal_ndim, normalized=normalized, signal_sizes=sizes)
    assert tuple(out.shape) == x.shape
    np.testing.assert_allclose(out.numpy(), x, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("signal_ndim", [1, 2])
def test_irfft_legacy_default_size_is_odd(signal_ndim):
    """The old irfft's last signal size defaults to 2*n-1 (pytorch#19111), not torch.fft's 2*(n-1)."""
    x = _rng(30).randn(3, 4, 9)
    half = np.fft.rfftn(x, axes=_axes(signal_ndim))  # last dim 5 -> default output 9
    out = tc.fft.irfft_legacy(torch.from_numpy(_pair(half)), signal_ndim)
    assert out.shape[-1] == 2 * half.shape[-1] - 1
    np.testing.assert_allclose(out.numpy(), x, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("signal_ndim", [1, 2])
@pytest.mark.parametrize("last", [5, 6])
def test_irfft_legacy_twosided_reads_half(signal_ndim, last):
    x = _rng(40 + last).randn(2, 4, last)
    full = np.fft.fftn(x, axes=_axes(signal_ndim))
    out = tc.fft.irfft_legacy(torch.from_numpy(_pair(full)), signal_ndim, onesided=False)
    np.testing.assert_allclose(out.numpy(), x, rtol=1e-10, atol=1e-10)
    # A non-Hermitian full spectrum: only the first n//2+1 bins of the last dim count.
    p = _rng(50).randn(2, 4, last, 2)
    cropped = torch.from_numpy(np.ascontiguousarray(p[..., : last // 2 + 1, :]))
    want = tc.fft.irfft_legacy(cropped, signal_ndim, signal_sizes=p.shape[-signal_ndim - 1 : -1])
    got = tc.fft.irfft_legacy(torch.from_numpy(p), signal_ndim, onesided=False)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12, atol=1e-12)


def test_legacy_errors():
    with pytest.raises(RuntimeError):
        tc.fft.rfft_legacy(torch.zeros(4, 4), 4)
    with pytest.raises(RuntimeError):
        tc.fft.fft_legacy(torch.zeros(4, 3), 1)  # no real-pair trailing dim
    with pytest.raises(RuntimeError):
        tc.fft.irfft_legacy(torch.zeros(6, 2), 1, signal_sizes=(20,))


def test_short_path_refusals_take_the_full_path():
    """The 1-D calls go straight to torch; what torch refuses there (integer pairs, pairs whose strides allow
    no complex view, 0-d spectra, a wrong signal size) gets the old functions' conversions and messages.
    Checked for each function that is ours here (on 1.7 torch.fft is shadowed, torch.ifft & co. are not)."""
    ours = {n for n in ("fft", "ifft", "rfft", "irfft") if BINDING.status("fft.%s_legacy" % n) != NATIVE}
    if not ours:
        pytest.skip("torch's own legacy functions here")
    floats = torch.get_default_dtype()
    ints = torch.arange(12).reshape(6, 2)
    for name in {"fft", "ifft"} & ours:
        fn = getattr(tc.fft, name + "_legacy")
        got = fn(ints, 1)
        assert got.dtype == floats and torch.equal(got, fn(ints.to(floats), 1))
    p = _rng(6).randn(2, 5)
    strided = torch.from_numpy(p).t()  # shape (5, 2), pairs not adjacent in memory: no complex view
    if "fft" in ours:
        np.testing.assert_allclose(
            tc.fft.fft_legacy(strided, 1).numpy(), _pair(np.fft.fft(_complex(p.T))), rtol=1e-10, atol=1e-10
        )
    if "irfft" in ours:
        np.testing.assert_allclose(
            tc.fft.irfft_legacy(strided[:3], 1).numpy(), np.fft.irfft(_complex(p.T[:3]), n=5), rtol=1e-10, atol=1e-10
        )
        with pytest.raises(RuntimeError, match="incompatible with onesided"):
            tc.fft.irfft_legacy(torch.zeros(6, 2), 1, signal_sizes=(20,))
    zero_d = {"fft": torch.zeros(2), "ifft": torch.zeros(2), "rfft": torch.zeros(()), "irfft": torch.zeros(2)}
    for name in sorted(ours):
        with pytest.raises(RuntimeError, match="expects a tensor of at least"):
            getattr(tc.fft, name + "_legacy")(zero_d[name], 1)


def test_rfft_legacy_gradient_matches_numerical():
    x = torch.randn(6, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: tc.fft.rfft_legacy(t, 1, normalized=True), (x,))


def test_legacy_are_reusable_through_a_binding():
    rfft = Binding(torch).resolve("fft.rfft_legacy")
    x = _rng(5).randn(4, 6)
    np.testing.assert_allclose(rfft(torch.from_numpy(x), 1).numpy(), _pair(np.fft.rfft(x)), rtol=1e-10, atol=1e-10)


def test_a_restored_torch_rfft_is_not_taken_for_native(monkeypatch):
    """torchcompat.legacy restores torch.rfft on new torch by wrapping these adapters (functools.wraps): a
    later resolution must not mistake that wrapper for torch's own function."""
    import functools

    impl = BINDING.resolve("fft.rfft_legacy")

    @functools.wraps(impl)
    def restored(*args, **kwargs):
        return impl(*args, **kwargs)

    restored.__module__ = "torch"
    monkeypatch.setattr(torch, "rfft", restored, raising=False)
    assert fft_shifts._legacy_native(ENV_FFT, "rfft") is fft_shifts.MISSING


def test_probes_and_legacy_adapters_leave_torch_fft_alone():
    """On 1.7 ``import torch.fft`` replaces the legacy ``torch.fft`` function: importing torchcompat, evaluating
    the records' probes and resolving the legacy adapters must not import it (checked in a fresh interpreter)."""
    found = fresh.fact("fft_probes")
    assert found["after"] == found["before"]
    if tc.TORCH_RELEASE[:2] == (1, 7):  # plain `import torch` leaves the function there on 1.7 only
        assert found["before"] != "module", found
    assert found["natives"][0] == found["natives"][1]
    # the probe says "native" exactly where the torch.fft module exists
    assert found["natives"][0] == HAS_FFT_MODULE


_T10_SCRIPT = r"""
import json, sys, numpy as np, torch
d = sys.argv[1]
x = np.load(d + "/x.npy"); p = np.load(d + "/p.npy"); h = np.load(d + "/h.npy"); f = np.load(d + "/f.npy")
out = {}
for nd in (1, 2):
    for norm in (False, True):
        out["rfft%d%d1" % (nd, norm)] = torch.rfft(torch.from_numpy(x), nd, norm, True).numpy()
        out["rfft%d%d0" % (nd, norm)] = torch.rfft(torch.from_numpy(x), nd, norm, False).numpy()
        out["fft%d%d" % (nd, norm)] = torch.fft(torch.from_numpy(p), nd, norm).numpy()
        out["ifft%d%d" % (nd, norm)] = torch.ifft(torch.from_numpy(p), nd, norm).numpy()
        out["irfft%d%d1" % (nd, norm)] = torch.irfft(torch.from_numpy(h), nd, norm, True).numpy()
        out["irfft%d%d0" % (nd, norm)] = torch.irfft(torch.from_numpy(f[nd]), nd, norm, False).numpy()
np.savez(d + "/out.npz", **out)
print(json.dumps(torch.__version__))
"""


@pytest.mark.skipif(not os.path.exists(T10_PYTHON), reason="needs the torch 1.0.1 venv of this machine")
@pytest.mark.skipif(IS_T10, reason="this is torch 1.0.1 itself: nothing to cross-check")
def test_legacy_match_torch_1_0_natively(tmp_path):
    """The backports on this torch give what torch 1.0.1's own torch.rfft & co. give on the same input."""
    rng = _rng(60)
    x = rng.randn(2, 4, 6)
    p = rng.randn(2, 4, 6, 2)
    h = _pair(np.fft.rfftn(rng.randn(2, 4, 7), axes=(-2, -1)))  # Hermitian half spectrum (last dim 4 -> 7)
    # Full spectra of real signals: on non-Hermitian input a multi-dim C2R transform is implementation-defined
    # (MKL in 1.0.1 and pocketfft differ), so the two-sided inverse is compared where it is well defined.
    y = rng.randn(2, 4, 6)
    f = np.stack([np.zeros(y.shape + (2,)), _pair(np.fft.fft(y)), _pair(np.fft.fftn(y, axes=(-2, -1)))])
    for name, arr in (("x", x), ("p", p), ("h", h), ("f", f)):
        np.save(str(tmp_path / (name + ".npy")), arr)
    env = dict(os.environ, PYTHONPATH="")
    done = procs.run([T10_PYTHON, "-c", _T10_SCRIPT, str(tmp_path)], capture_output=True, env=env)
    assert done.returncode == 0, done.stderr.decode()
    assert json.loads(done.stdout.decode().strip().splitlines()[-1]).startswith("1.0")
    ref = np.load(str(tmp_path / "out.npz"))
    for nd in (1, 2):
        for norm in (False, True):
            got = {
                "rfft%d%d1" % (nd, norm): tc.fft.rfft_legacy(torch.from_numpy(x), nd, norm, True),
                "rfft%d%d0" % (nd, norm): tc.fft.rfft_legacy(torch.from_numpy(x), nd, norm, False),
                "fft%d%d" % (nd, norm): tc.fft.fft_legacy(torch.from_numpy(p), nd, norm),
                "ifft%d%d" % (nd, norm): tc.fft.ifft_legacy(torch.from_numpy(p), nd, norm),
                "irfft%d%d1" % (nd, norm): tc.fft.irfft_legacy(torch.from_numpy(h), nd, norm, True),
                "irfft%d%d0" % (nd, norm): tc.fft.irfft_legacy(torch.from_numpy(f[nd]), nd, norm, False),
            }
            for key, value in got.items():
                assert tuple(value.shape) == ref[key].shape, key
                np.testing.assert_allclose(value.numpy(), ref[key], rtol=1e-10, atol=1e-10, err_msg=key)


# -- torch.fft module functions -------------------------------------------------------------------------------

NEW = ("fft", "ifft", "rfft", "irfft", "fftn", "ifftn", "rfftn", "irfftn")


@pytest.mark.parametrize("name", NEW)
def test_module_function_identity_or_unavailable(name):
    if HAS_FFT_MODULE:
        import torch.fft as torch_fft

        assert getattr(tc.fft, name) is getattr(torch_fft, name)
    else:
        assert BINDING.status("fft." + name) == UNAVAILABLE
        with pytest.raises(UnsupportedError, match="1.7"):
            BINDING.resolve("fft." + name)(torch.zeros(4))


@pytest.mark.skipif(not HAS_FFT_MODULE, reason="torch.fft module functions need complex tensors (torch >= 1.7)")
def test_module_functions_match_numpy():
    x = _rng(70).randn(3, 4, 8)
    t = torch.from_numpy(x)
    np.testing.assert_allclose(tc.fft.fft(t).numpy(), np.fft.fft(x), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(tc.fft.rfft(t, n=6, norm="ortho").numpy(), np.fft.rfft(x, n=6, norm="ortho"), atol=1e-10)
    np.testing.assert_allclose(tc.fft.fftn(t, dim=(0, 2)).numpy(), np.fft.fftn(x, axes=(0, 2)), atol=1e-10)
    half = tc.fft.rfftn(t, dim=(-2, -1))
    np.testing.assert_allclose(tc.fft.irfftn(half, s=(4, 8), dim=(-2, -1)).numpy(), x, atol=1e-10)
    np.testing.assert_allclose(tc.fft.irfft(tc.fft.rfft(t), n=8).numpy(), x, atol=1e-10)
    np.testing.assert_allclose(tc.fft.ifftn(tc.fft.fftn(t)).real.numpy(), x, atol=1e-10)
    np.testing.assert_allclose(tc.fft.ifft(tc.fft.fft(t)).real.numpy(), x, atol=1e-10)


# -- fftfreq / rfftfreq / fftshift / ifftshift (exact backports) -------------------------------------------------

ENV = BINDING.env
BACKPORTS = {
    "fftfreq": fft_shifts._fftfreq(ENV),
    "rfftfreq": fft_shifts._rfftfreq(ENV),
    "fftshift": fft_shifts._fftshift(ENV),
    "ifftshift": fft_shifts._ifftshift(ENV),
}


@pytest.mark.parametrize("name", sorted(BACKPORTS))
def test_real_helpers_status(name):
    import importlib

    try:
        module = importlib.import_module("torch.fft")
    except ImportError:
        module = None
    own = getattr(module, name, None) if module is not None else None
    if own is not None:
        assert getattr(tc.fft, name) is own
    else:
        assert BINDING.status("fft." + name) == BACKPORTED


@pytest.mark.parametrize("which", ["adapter", "backport"])
@pytest.mark.parametrize("n", [1, 2, 5, 8])
@pytest.mark.parametrize("d", [1.0, 0.1])
def test_fftfreq_matches_numpy(which, n, d):
    fftfreq = tc.fft.fftfreq if which == "adapter" else BACKPORTS["fftfreq"]
    rfftfreq = tc.fft.rfftfreq if which == "adapter" else BACKPORTS["rfftfreq"]
    got = fftfreq(n, d, dtype=torch.float64)
    np.testing.assert_allclose(got.numpy(), np.fft.fftfreq(n, d), rtol=1e-14, atol=0)
    got = rfftfreq(n, d, dtype=torch.float64)
    np.testing.assert_allclose(got.numpy(), np.fft.rfftfreq(n, d), rtol=1e-14, atol=0)
    assert fftfreq(n).dtype == torch.get_default_dtype()


@pytest.mark.skipif(BINDING.status("fft.fftfreq") != NATIVE, reason="compares the backport with torch's own")
@pytest.mark.parametrize("n", [1, 4, 7])
def test_fftfreq_backport_is_bitwise_native(n):
    import torch.fft as torch_fft

    for dtype in (torch.float32, torch.float64):
        assert torch.equal(BACKPORTS["fftfreq"](n, 0.3, dtype=dtype), torch_fft.fftfreq(n, 0.3, dtype=dtype))
        assert torch.equal(BACKPORTS["rfftfreq"](n, 0.3, dtype=dtype), torch_fft.rfftfreq(n, 0.3, dtype=dtype))
    got = BACKPORTS["fftfreq"](n, requires_grad=True)
    assert got.requires_grad == torch_fft.fftfreq(n, requires_grad=True).requires_grad


@pytest.mark.parametrize("which", ["adapter", "backport"])
@pytest.mark.parametrize("dim", [None, 0, -1, (0, 1), [1, 2]])
def test_fftshift_matches_numpy(which, dim):
    shift = tc.fft.fftshift if which == "adapter" else BACKPORTS["fftshift"]
    ishift = tc.fft.ifftshift if which == "adapter" else BACKPORTS["ifftshift"]
    x = _rng(80).randn(4, 5, 7)
    axes = tuple(dim) if isinstance(dim, list) else dim
    t = torch.from_numpy(x)
    np.testing.assert_array_equal(shift(t, dim=dim).numpy(), np.fft.fftshift(x, axes=axes))
    np.testing.assert_array_equal(ishift(t, dim=dim).numpy(), np.fft.ifftshift(x, axes=axes))
    np.testing.assert_array_equal(ishift(shift(t, dim), dim).numpy(), x)


def test_fftshift_of_fftfreq_is_sorted():
    for n in (6, 7):
        f = tc.fft.fftshift(tc.fft.fftfreq(n, dtype=torch.float64))
        assert (f[1:] > f[:-1]).all()
