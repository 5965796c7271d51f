"""tc.linalg.eig_legacy (torch.eig's (n, 2) eigenvalue pairs and packed eigenvectors) and tc.cholesky_inverse
(torch.potri on 1.0): native where torch has the function, compared with torch.eig / torch.potri / NumPy."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import torchcompat as tc
from torchcompat.shifts import linalg as la


def _eig_works() -> bool:
    try:
        torch.eig(torch.eye(1))
    except Exception:  # absent, or the 2.x stub that raises
        return False
    return True


HAS_EIG = hasattr(torch, "eig") and _eig_works()
HAS_LINALG_EIG = hasattr(torch, "linalg") and hasattr(torch.linalg, "eig")


def _matrices():
    rot = torch.tensor([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 2.0]], dtype=torch.float64)
    gen = torch.Generator().manual_seed(0)
    rnd = torch.randn(5, 5, generator=gen, dtype=torch.float64)  # complex pairs and real eigenvalues
    sym = rnd + rnd.t()
    return [rot, rnd, sym, rnd.float()]


def _native_eig(A, vectors):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torch.eig(A, eigenvectors=vectors)


class _Env:
    """The running torch, with torch.linalg.eig replaced (to exercise the 1.9+ path where torch.eig exists)."""

    def __init__(self, linalg_eig):
        self.torch = torch
        self._linalg_eig = linalg_eig

    def get(self, name):
        if name == "linalg.eig":
            return self._linalg_eig
        return getattr(torch, name, la.MISSING)


def _check_layout(A, values, vectors):
    """The packed layout reproduces A v = lambda v for every eigenpair, and the values match NumPy."""
    n = A.shape[0]
    assert values.shape == (n, 2) and values.dtype == A.dtype
    key = lambda z: (round(z.real, 6), round(z.imag, 6))
    got = sorted((complex(r, i) for r, i in values.tolist()), key=key)
    want = sorted((complex(z) for z in np.linalg.eigvals(A.double().numpy())), key=key)
    tol = 1e-4 if A.dtype == torch.float32 else 1e-9
    for g, w in zip(got, want):
        assert abs(g - w) < tol * 10
    if vectors is None:
        return
    V = vectors.double().numpy()
    M = A.double().numpy()
    j = 0
    while j < n:
        re, im = values[j].tolist()
        if im != 0.0:
            v = V[:, j] + 1j * V[:, j + 1]
            lam = complex(re, im)
            assert np.allclose(M @ v, lam * v, atol=tol * 100)
            assert np.allclose(M @ v.conj(), lam.conjugate() * v.conj(), atol=tol * 100)
            j += 2
        else:
            v = V[:, j]
            assert np.allclose(M @ v, re * v, atol=tol * 100)
            j += 1


@pytest.mark.parametrize("vectors", [False, True])
def test_eig_legacy_layout(vectors):
    if not (HAS_EIG or HAS_LINALG_EIG):
        pytest.skip("no eig on this torch")
    for A in _matrices():
        values, V = tc.linalg.eig_legacy(A, eigenvectors=vectors)
        _check_layout(A, values, V if vectors else None)
        if not vectors:
            assert V.numel() == 0


@pytest.mark.skipif(not HAS_EIG, reason="torch.eig is gone (1.13+)")
@pytest.mark.parametrize("vectors", [False, True])
def test_eig_legacy_equals_native_eig(vectors):
    for A in _matrices():
        values, V = tc.linalg.eig_legacy(A, eigenvectors=vectors)
        ref_values, ref_V = _native_eig(A, vectors)
        assert torch.allclose(values, ref_values)
        assert V.shape == ref_V.shape and torch.allclose(V, ref_V, atol=1e-6)


@pytest.mark.skipif(HAS_LINALG_EIG or not HAS_EIG, reason="torch.eig is native only before 1.9")
def test_eig_legacy_is_native_before_1_9():
    assert tc.linalg.eig_legacy is torch.eig


@pytest.mark.skipif(not HAS_LINALG_EIG, reason="the backport is built on torch.linalg.eig (1.9+)")
def test_eig_legacy_backport_on_linalg_eig():
    assert tc.linalg.eig_legacy is not getattr(torch, "eig", None)
    assert "eig" in type(tc.linalg.eig_legacy(_matrices()[0])).__name__
    with pytest.raises(RuntimeError):
        tc.linalg.eig_legacy(torch.zeros(2, 3, 3))


@pytest.mark.skipif(not HAS_EIG, reason="needs torch.eig")
def test_eig_legacy_backport_path_equals_native_eig():
    """The linalg.eig-based backport, run where torch.eig also exists (fed tc.linalg.eig on < 1.9), gives
    torch.eig's own result: the packing is checked against the real thing."""
    if not hasattr(torch, "view_as_complex"):
        pytest.skip("no linalg.eig to build on (complex tensors need 1.6)")
    linalg_eig = tc.linalg.eig
    resolution = la._eig_legacy(_Env(linalg_eig))
    fn = resolution.obj
    assert fn is not torch.eig
    for A in _matrices():
        for vectors in (False, True):
            values, V = fn(A, eigenvectors=vectors)
            ref_values, ref_V = _native_eig(A, vectors)
            assert torch.allclose(values, ref_values)
            assert V.shape == ref_V.shape and torch.allclose(V, ref_V, atol=1e-6)


def _spd(batch=()):
    gen = torch.Generator().manual_seed(1)
    X = torch.randn(*(batch + (4, 4)), generator=gen, dtype=torch.float64)
    return X.matmul(X.transpose(-1, -2)) + 4 * torch.eye(4, dtype=torch.float64)


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_inverse_inverts(upper):
    A = _spd()
    # tc.linalg.cholesky: torch.cholesky is a stub that raises from 2.14, and 1.0 only has potrf
    L = tc.linalg.cholesky(A, upper=upper)
    inv = tc.cholesky_inverse(L, upper=upper)
    assert np.allclose(inv.numpy(), np.linalg.inv(A.numpy()))


def test_cholesky_inverse_default_is_lower():
    A = _spd()
    L = tc.linalg.cholesky(A)
    assert np.allclose(tc.cholesky_inverse(L).numpy(), np.linalg.inv(A.numpy()))


@pytest.mark.skipif(not hasattr(torch, "cholesky_inverse"), reason="torch.cholesky_inverse is 1.1+")
def test_cholesky_inverse_is_native():
    assert tc.cholesky_inverse is torch.cholesky_inverse


@pytest.mark.skipif(hasattr(torch, "cholesky_inverse") or not hasattr(torch, "potri"), reason="torch 1.0 only")
def test_cholesky_inverse_backport_matches_potri_and_batches():
    A = _spd()
    U = torch.potrf(A, upper=True)
    assert torch.equal(tc.cholesky_inverse(U, upper=True), torch.potri(U, upper=True))
    assert torch.equal(tc.cholesky_inverse(U, True), torch.potri(U))
    batch = _spd((2, 3))
    L = torch.stack([torch.potrf(m, upper=False) for m in batch.reshape(-1, 4, 4)]).reshape(batch.shape)
    inv = tc.cholesky_inverse(L)
    assert inv.shape == batch.shape
    assert np.allclose(inv.numpy(), np.linalg.inv(batch.numpy()))
