"""F.interpolate with align_corners / recompute_scale_factor / antialias on every release.

The old kernels are exercised twice: on real old torch (1.0.1 in the matrix) and, on any torch, through
EMULATED surfaces whose ``interpolate`` has an older signature (1.0-1.4: no ``recompute_scale_factor``;
1.5: ``None`` meant True; 0.3: ``upsample`` without ``align_corners``) and whose results come from the real
kernels with the old behaviour, so the backport can be compared with the native new behaviour."""

from __future__ import annotations

import inspect
import math
import types

import numpy as np
import pytest
import torch

import torchcompat as tc
from torchcompat.registry import UnsupportedError
from torchcompat.shifts.nn import BACKPORTS, _scale_list

F = torch.nn.functional
NATIVE_RECOMPUTE = "recompute_scale_factor" in inspect.signature(F.interpolate).parameters


def _native_takes_scale_tuples() -> bool:
    """torch 1.5 has recompute_scale_factor=False but its kernels take one float scale (a TypeError)."""
    try:
        F.interpolate(torch.zeros(1, 1, 2, 2), scale_factor=(2.0, 1.5), recompute_scale_factor=False)
    except TypeError:
        return False
    return True


NATIVE_TUPLES = NATIVE_RECOMPUTE and _native_takes_scale_tuples()


def _fake_torch(interpolate=None, upsample=None, version="1.4.0"):  # type: ignore[no-untyped-def]
    """EMULATED torch: the real one, with nn.functional.interpolate / upsample of an older signature."""
    fn = types.ModuleType("emulated.nn.functional")
    fn.__getattr__ = lambda name: getattr(F, name)  # type: ignore[attr-defined]
    if interpolate is not None:
        fn.interpolate = interpolate
    else:
        fn.__getattr__ = lambda name: (  # type: ignore[attr-defined]
            getattr(F, name) if name != "interpolate" else (_ for _ in ()).throw(AttributeError(name))
        )
    if upsample is not None:
        fn.upsample = upsample
    nn = types.ModuleType("emulated.nn")
    nn.__getattr__ = lambda name: getattr(torch.nn, name)  # type: ignore[attr-defined]
    nn.functional = fn
    fake = types.ModuleType("torch_emulated_%s" % version)
    fake.__getattr__ = lambda name: getattr(torch, name)  # type: ignore[attr-defined]
    fake.__version__ = version
    fake.__torchcompat_emulated__ = True
    fake.nn = nn
    return fake


def _old_kernel(input, size=None, scale_factor=None, mode="nearest", align_corners=None):  # type: ignore[no-untyped-def]
    """1.0-1.4: sizes from floor(in * scale), the scale recomputed from the sizes."""
    if NATIVE_RECOMPUTE and scale_factor is not None:
        return F.interpolate(input, size, scale_factor, mode, align_corners, recompute_scale_factor=True)
    return F.interpolate(input, size, scale_factor, mode, align_corners)


def _x(dim: int, dtype=torch.float64):  # type: ignore[no-untyped-def]
    g = torch.Generator().manual_seed(dim)
    return torch.randn(*([2, 3] + [5, 7, 6][:dim]), generator=g, dtype=torch.float64).to(dtype)


MODES = [(1, "nearest"), (2, "nearest"), (3, "nearest"), (1, "linear"), (2, "bilinear"), (3, "trilinear")]


def test_identity_or_backport() -> None:
    status = tc._bind().status("nn.functional.interpolate")
    native = "antialias" in inspect.signature(F.interpolate).parameters and tc.at_least("1.6")
    assert (status == "native") == native
    assert (tc.nn.functional.interpolate is F.interpolate) == native


def _np_given_scale(a, scales, mode):  # type: ignore[no-untyped-def]
    """NumPy reference of the 1.6+ rule (scale used as given), per dimension, in float64: nearest takes
    floor(i / s) (computed in float32 as torch's kernels do); the linear modes sample (i + 0.5) / s - 0.5,
    clamped at 0, between its floor and the next index."""
    out = a
    for i in reversed(range(a.ndim - 2)):
        d = 2 + i
        n_in = a.shape[d]
        n_out = int(math.floor(float(n_in) * scales[i]))
        pos = np.arange(n_out)
        if mode == "nearest":
            idx = np.floor(pos.astype(np.float32) * np.float32(1.0 / scales[i])).astype(np.int64)
            out = np.take(out, np.minimum(idx, n_in - 1), axis=d)
            continue
        src = np.maximum((pos + 0.5) * (1.0 / scales[i]) - 0.5, 0.0)
        i0 = src.astype(np.int64)
        lam = np.clip(src - i0, 0.0, 1.0)
        i1 = np.where(i0 < n_in - 1, i0 + 1, i0)
        shape = [1] * a.ndim
        shape[d] = n_out
        out = np.take(out, i0, axis=d) * (1 - lam).reshape(shape) + np.take(out, i1, axis=d) * lam.reshape(shape)
    return out


@pytest.mark.parametrize("dim,mode", MODES)
@pytest.mark.parametrize("scale", [1.5, 0.6, 2.3, (1.7, 0.8, 1.25)])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_given_scale_matches_native_and_numpy(dim: int, mode: str, scale, dtype) -> None:  # type: ignore[no-untyped-def]
    """The backport on an EMULATED 1.0-1.4 surface (whose kernels recompute the scale) and the adapter on this
    torch, against torch's own recompute_scale_factor=False where it exists and a NumPy reference always."""
    x = _x(dim, dtype)
    tol = 1e-12 if dtype == torch.float64 else 1e-5
    scale = scale[:dim] if isinstance(scale, tuple) else scale
    align = False if mode != "nearest" else None
    reference = _np_given_scale(x.double().numpy(), _scale_list(scale, dim), mode)
    fns = [tc.nn.functional.interpolate, BACKPORTS["nn.functional.interpolate"](_fake_torch(_old_kernel))]
    for fn in fns:
        for recompute in (None, False):
            got = fn(x, scale_factor=scale, mode=mode, align_corners=align, recompute_scale_factor=recompute)
            assert got.dtype == dtype
            np.testing.assert_allclose(got.double().numpy(), reference, rtol=tol, atol=tol)
            if NATIVE_TUPLES or (NATIVE_RECOMPUTE and not isinstance(scale, tuple)):
                expected = F.interpolate(
                    x, scale_factor=scale, mode=mode, align_corners=align, recompute_scale_factor=False
                )
                assert torch.allclose(got, expected, rtol=tol, atol=tol), (recompute, scale)
        recomputed = _old_kernel(x, scale_factor=scale, mode=mode, align_corners=align)
        assert torch.equal(
            fn(x, scale_factor=scale, mode=mode, align_corners=align, recompute_scale_factor=True), recomputed
        )


@pytest.mark.parametrize("dim,mode", MODES)
def test_cases_where_recomputing_changes_nothing(dim: int, mode: str) -> None:
    for fn in (tc.nn.functional.interpolate, BACKPORTS["nn.functional.interpolate"](_fake_torch(_old_kernel))):
        x = _x(dim)
        align = None if mode == "nearest" else False
        base = _old_kernel(x, scale_factor=2, mode=mode, align_corners=align)
        assert torch.allclose(fn(x, scale_factor=2, mode=mode, align_corners=align), base, rtol=1e-12, atol=1e-12)
        assert torch.allclose(
            fn(x, scale_factor=2.0, mode=mode, align_corners=align, recompute_scale_factor=False),
            base,
            rtol=1e-12,
            atol=1e-12,
        )
        size = [4, 9, 3][:dim]
        assert torch.allclose(
            fn(x, size=size, mode=mode, align_corners=align),
            _old_kernel(x, size=size, mode=mode, align_corners=align),
            rtol=1e-12,
            atol=1e-12,
        )
        if mode != "nearest":  # align_corners=True never uses the scale
            assert torch.allclose(
                fn(x, scale_factor=1.5, mode=mode, align_corners=True),
                _old_kernel(x, scale_factor=1.5, mode=mode, align_corners=True),
                rtol=1e-12,
                atol=1e-12,
            )


def test_nearest_given_scale_indices() -> None:
    """On any torch, nearest with scale 1.7 on 5 samples (8 out) picks source floor(i / 1.7) (the new rule),
    not floor(i * 5 / 8) (the recomputed scale): [0, 0, 1, 1, 2, 2, 3, 4] against [0, 0, 1, 1, 2, 3, 3, 4]."""
    x = torch.arange(5.0).view(1, 1, 5)
    given = [float(min(int(math.floor(i / 1.7)), 4)) for i in range(8)]
    recomputed = [float(min(int(math.floor(i * 5.0 / 8)), 4)) for i in range(8)]
    assert given != recomputed
    for fn in (tc.nn.functional.interpolate, BACKPORTS["nn.functional.interpolate"](_fake_torch(_old_kernel))):
        assert fn(x, scale_factor=1.7, mode="nearest").view(-1).tolist() == given
        assert fn(x, scale_factor=1.7, mode="nearest", recompute_scale_factor=True).view(-1).tolist() == recomputed


def test_linear_given_scale_values() -> None:
    """Linear, align_corners=False, scale 1.5: source position (i + 0.5) / 1.5 - 0.5, clamped at 0."""
    x = torch.arange(5.0, dtype=torch.float64).view(1, 1, 5) ** 2
    vals = x.view(-1).tolist()
    expected = []
    for i in range(7):
        src = max((i + 0.5) / 1.5 - 0.5, 0.0)
        i0 = int(src)
        i1 = min(i0 + 1, 4)
        lam = src - i0
        expected.append(vals[i0] * (1 - lam) + vals[i1] * lam)
    for fn in (tc.nn.functional.interpolate, BACKPORTS["nn.functional.interpolate"](_fake_torch(_old_kernel))):
        out = fn(x, scale_factor=1.5, mode="linear", align_corners=False).view(-1).tolist()
        assert out == pytest.approx(expected, rel=1e-12, abs=1e-12)
        old = fn(x, scale_factor=1.5, mode="linear", align_corners=False, recompute_scale_factor=True)
        assert old.view(-1).tolist() != pytest.approx(expected, rel=1e-6)  # the recomputed scale differs


def test_unsupported_combinations_say_which_release() -> None:
    old = BACKPORTS["nn.functional.interpolate"](_fake_torch(_old_kernel))
    x = _x(2)
    with pytest.raises(UnsupportedError, match="1.11"):
        old(x, scale_factor=2, mode="bilinear", align_corners=False, antialias=True)
    with pytest.raises(UnsupportedError, match="1.6"):
        old(x, scale_factor=1.5, mode="bicubic", align_corners=False)
    # area never uses the scale: fine
    assert torch.equal(old(x, scale_factor=1.5, mode="area"), _old_kernel(x, scale_factor=1.5, mode="area"))


def test_emulated_15_none_means_false() -> None:
    """EMULATED 1.5: recompute_scale_factor exists but None behaved as True."""

    def interpolate_15(
        input,
        size=None,
        scale_factor=None,
        mode="nearest",
        align_corners=None,  # type: ignore[no-untyped-def]
        recompute_scale_factor=None,
    ):
        if recompute_scale_factor is None or recompute_scale_factor:
            return _old_kernel(input, size, scale_factor, mode, align_corners)
        return F.interpolate(input, size, scale_factor, mode, align_corners, recompute_scale_factor=False)

    if not NATIVE_RECOMPUTE:
        pytest.skip("needs torch's own recompute_scale_factor=False to emulate 1.5")
    fake = _fake_torch(interpolate_15, version="1.5.1")
    old = tc.bind(fake)
    assert tc.registry.Binding(fake).status("nn.functional.interpolate") == "backported"
    x = _x(1)
    expected = F.interpolate(x, scale_factor=1.5, mode="linear", align_corners=False, recompute_scale_factor=False)
    assert torch.equal(old.nn.functional.interpolate(x, scale_factor=1.5, mode="linear", align_corners=False), expected)


def test_emulated_03_upsample() -> None:
    """EMULATED 0.3: no interpolate, upsample without align_corners (the linear modes aligned corners)."""

    def upsample_03(input, size=None, scale_factor=None, mode="nearest"):  # type: ignore[no-untyped-def]
        return _old_kernel(input, size, scale_factor, mode, True if mode != "nearest" else None)

    old = tc.bind(_fake_torch(upsample=upsample_03, version="0.3.1"))
    x = _x(2)
    fn = old.nn.functional.interpolate
    assert torch.equal(
        fn(x, scale_factor=2, mode="bilinear", align_corners=True),
        _old_kernel(x, scale_factor=2, mode="bilinear", align_corners=True),
    )
    assert torch.equal(fn(x, size=(3, 4)), _old_kernel(x, size=(3, 4)))
    with pytest.raises(UnsupportedError, match="0.4.1"):
        fn(x, scale_factor=2, mode="bilinear")
