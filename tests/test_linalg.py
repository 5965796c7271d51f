"""tc.linalg: torch.linalg semantics on every release, checked against NumPy (numpy.linalg) on real torch, and
against torch's own torch.linalg where this torch has it (identity for native adapters; the backports rebuilt
from this torch's old functions compared with the native results)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import torchcompat as tc
from torchcompat.probe import MISSING
from torchcompat.registry import BACKPORTED, NATIVE, UNAVAILABLE, Binding, UnsupportedError
from torchcompat.shifts import linalg as la
from torchcompat.version import at_least

BINDING = Binding(torch)
ENV = BINDING.env
NAMES = (
    "solve eigh eigvalsh eig eigvals qr cholesky lstsq matrix_rank multi_dot norm vector_norm matrix_norm det slogdet "
    "inv pinv svd svdvals lu_factor lu_solve solve_triangular"
).split()
# What the first torch.linalg versions lacked (a keyword; svd's ``Vh`` field): the adapter then wraps torch's function.
LACKS = {
    "solve": lambda: not ENV.accepts("linalg.solve", "left"),
    "cholesky": lambda: not ENV.accepts("linalg.cholesky", "upper"),
    "matrix_rank": lambda: not ENV.accepts("linalg.matrix_rank", "atol"),
    "pinv": lambda: not ENV.accepts("linalg.pinv", "atol"),
    "svd": lambda: not hasattr(torch.linalg.svd(torch.eye(2)), "Vh"),
    "eigvalsh": lambda: not torch.linalg.eigvalsh(torch.eye(2, dtype=torch.float64).requires_grad_()).requires_grad,
}
HAS_EIG = BINDING.status("linalg.eig") != UNAVAILABLE


def rng(seed=0):
    return np.random.RandomState(seed)


def t(a):
    return torch.from_numpy(np.ascontiguousarray(a))


def close(got, want, tol=1e-9):
    got = got.detach().numpy() if isinstance(got, torch.Tensor) else np.asarray(got)
    assert got.shape == np.shape(want), (got.shape, np.shape(want))
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


def spd(batch, n, seed=0):
    a = rng(seed).randn(*(batch + (n, n)))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def per_matrix(fn, a, *rest):
    """NumPy 1.21 (the torch 1.0 venv) lacks batched qr: apply ``fn`` matrix by matrix."""
    flat = a.reshape((-1,) + a.shape[-2:])
    outs = [fn(flat[i], *[r.reshape((-1,) + r.shape[-2:])[i] for r in rest]) for i in range(flat.shape[0])]
    if isinstance(outs[0], tuple):
        return tuple(np.stack([o[j] for o in outs]).reshape(a.shape[:-2] + outs[0][j].shape) for j in range(2))
    return np.stack(outs).reshape(a.shape[:-2] + outs[0].shape)


# -- which adapters are native -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_native_identity_or_backport(name):
    own = ENV.get("linalg." + name)
    status = BINDING.status("linalg." + name)
    if own is MISSING:
        assert status in (BACKPORTED, UNAVAILABLE)
    elif status == NATIVE:
        assert getattr(tc.linalg, name) is own
    else:
        # torch has it, but without a keyword (or field name) that later releases added: a thin wrapper.
        assert status == BACKPORTED
        assert LACKS[name]()


@pytest.mark.skipif(not at_least("1.13"), reason="every torch.linalg function used here exists from 1.13")
def test_all_native_on_recent_torch():
    assert tc.linalg.solve is torch.linalg.solve
    for name in NAMES:
        assert BINDING.status("linalg." + name) == NATIVE, name
        assert getattr(tc.linalg, name) is getattr(torch.linalg, name)


def test_tc_linalg_falls_through_to_torch_for_other_names():
    if hasattr(torch, "linalg") and hasattr(torch.linalg, "matrix_power"):
        assert tc.linalg.matrix_power is torch.linalg.matrix_power
    else:
        with pytest.raises(AttributeError):
            tc.linalg.matrix_power  # noqa: B018


# -- solve, inv, det, slogdet ---------------------------------------------------------------------------------


def test_solve_matrix_vector_and_broadcast():
    a = rng(1).randn(2, 3, 4, 4)
    b = rng(2).randn(2, 3, 4, 2)
    close(tc.linalg.solve(t(a), t(b)), np.linalg.solve(a, b))
    v = rng(3).randn(2, 3, 4)  # B of shape A.shape[:-1]: a batch of vectors
    close(tc.linalg.solve(t(a), t(v)), np.linalg.solve(a, v[..., None])[..., 0])
    close(tc.linalg.solve(t(a[0, 0]), t(v[0, 0])), np.linalg.solve(a[0, 0], v[0, 0]))
    b2 = rng(4).randn(4, 5)  # broadcast one right-hand side over the batch of A
    close(tc.linalg.solve(t(a), t(b2)), np.linalg.solve(a, np.broadcast_to(b2, (2, 3, 4, 5))))
    a1 = rng(5).randn(3, 1, 4, 4)  # broadcast batch dims of A and B against each other
    b3 = rng(6).randn(2, 4, 1)
    close(
        tc.linalg.solve(t(a1), t(b3)),
        np.linalg.solve(np.broadcast_to(a1, (3, 2, 4, 4)), np.broadcast_to(b3, (3, 2, 4, 1))),
    )


def test_solve_left_false():
    a = rng(7).randn(3, 4, 4)
    b = rng(8).randn(3, 2, 4)
    want = np.swapaxes(np.linalg.solve(np.swapaxes(a, -1, -2), np.swapaxes(b, -1, -2)), -1, -2)  # X A = B
    close(tc.linalg.solve(t(a), t(b), left=False), want)


def test_solve_singular_raises():
    with pytest.raises(RuntimeError):
        tc.linalg.solve(torch.zeros(3, 3, dtype=torch.float64), torch.ones(3, 1, dtype=torch.float64))


def test_inv_det_slogdet():
    a = rng(9).randn(2, 3, 4, 4)
    close(tc.linalg.inv(t(a)), np.linalg.inv(a))
    close(tc.linalg.det(t(a)), np.linalg.det(a))
    res = tc.linalg.slogdet(t(a))
    sign, logabsdet = np.linalg.slogdet(a)
    assert isinstance(res, tuple) and len(res) == 2
    close(res.sign, sign)
    close(res.logabsdet, logabsdet)
    assert (sign < 0).any() and (sign > 0).any()
    close(tc.linalg.det(t(a[0, 0])), np.linalg.det(a[0, 0]))


# -- eigen decompositions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh_reads_one_triangle(uplo):
    a = rng(10).randn(2, 5, 5)  # not symmetric: only the named triangle counts
    w, v = tc.linalg.eigh(t(a), UPLO=uplo)
    res = tc.linalg.eigh(t(a), UPLO=uplo)
    assert torch.equal(res.eigenvalues, w) and torch.equal(res.eigenvectors, v)
    close(w, np.linalg.eigh(a, UPLO=uplo)[0])
    close(tc.linalg.eigvalsh(t(a), UPLO=uplo), np.linalg.eigvalsh(a, UPLO=uplo))
    tri = np.tril(a) if uplo == "L" else np.triu(a)
    sym = tri + np.swapaxes(tri, -1, -2) - np.eye(5) * np.diagonal(a, axis1=-2, axis2=-1)[..., None, :]
    vn, wn = v.numpy(), w.numpy()
    np.testing.assert_allclose(sym @ vn, vn * wn[..., None, :], atol=1e-9)
    np.testing.assert_allclose(np.swapaxes(vn, -1, -2) @ vn, np.broadcast_to(np.eye(5), (2, 5, 5)), atol=1e-9)


def test_eigh_default_is_lower():
    a = rng(11).randn(4, 4)
    close(tc.linalg.eigvalsh(t(a)), np.linalg.eigvalsh(a, UPLO="L"))
    close(tc.linalg.eigh(t(a)).eigenvalues, np.linalg.eigh(a)[0])
    with pytest.raises(RuntimeError):
        tc.linalg.eigh(t(a), UPLO="X")


def _cplx(z):
    r = torch.view_as_real(z).numpy()
    return r[..., 0] + 1j * r[..., 1]


@pytest.mark.skipif(not HAS_EIG, reason="complex results need torch >= 1.6 (tested as unavailable below)")
def test_eig_and_eigvals_complex():
    rot = np.array([[0.0, -2.0, 0.3], [2.0, 0.0, 0.1], [0.0, 0.0, 1.5]])  # eigenvalues +-2i and 1.5
    a = np.stack([rot, rng(12).randn(3, 3), np.diag([3.0, -1.0, 2.0])])
    w, v = tc.linalg.eig(t(a))
    assert w.is_complex() and v.is_complex()
    assert w.dtype == v.dtype == torch.complex128
    wn, vn = _cplx(w), _cplx(v)
    for i in range(3):
        np.testing.assert_allclose(np.sort_complex(wn[i]), np.sort_complex(np.linalg.eigvals(a[i])), atol=1e-9)
        np.testing.assert_allclose(a[i] @ vn[i], vn[i] * wn[i][None, :], atol=1e-9)
        np.testing.assert_allclose(np.linalg.norm(vn[i], axis=0), np.ones(3), atol=1e-9)
    np.testing.assert_allclose(_cplx(tc.linalg.eigvals(t(a))), wn, atol=1e-12)
    res = tc.linalg.eig(t(a[0]))
    assert res.eigenvalues.shape == (3,) and res.eigenvectors.shape == (3, 3)


@pytest.mark.skipif(HAS_EIG, reason="this torch has complex tensors")
def test_eig_unavailable_names_the_release():
    for name in ("eig", "eigvals"):
        with pytest.raises(UnsupportedError, match="1.6"):
            getattr(tc.linalg, name)(torch.eye(3))


# -- qr, cholesky ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(2, 5, 3), (4, 4), (2, 3, 5)])
@pytest.mark.parametrize("mode", ["reduced", "complete", "r"])
def test_qr_modes(shape, mode):
    a = rng(13).randn(*shape)
    q, r = tc.linalg.qr(t(a), mode=mode)
    res = tc.linalg.qr(t(a), mode=mode)
    assert torch.equal(res.Q, q) and torch.equal(res.R, r)
    if mode == "r":
        assert q.numel() == 0
        r_np = per_matrix(lambda m: np.linalg.qr(m, mode="r"), a)
        close(r, r_np)
        return
    q_np, r_np = per_matrix(lambda m: np.linalg.qr(m, mode=mode), a)
    close(q, q_np)
    close(r, r_np)
    close(torch.matmul(q, r), a)


def test_qr_bad_mode():
    with pytest.raises(RuntimeError):
        tc.linalg.qr(torch.eye(3), mode="economic")


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky(upper):
    a = spd((2, 3), 4, seed=14)
    low = np.linalg.cholesky(a)
    want = np.swapaxes(low, -1, -2) if upper else low
    close(tc.linalg.cholesky(t(a), upper=upper), want)
    if not upper:
        close(tc.linalg.cholesky(t(a)), low)


def test_cholesky_not_positive_definite_raises():
    with pytest.raises(RuntimeError):
        tc.linalg.cholesky(-torch.eye(3, dtype=torch.float64))


# -- svd, svdvals, lstsq, matrix_rank, pinv -------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(2, 5, 3), (3, 4), (2, 3, 5)])
@pytest.mark.parametrize("full", [True, False])
def test_svd_returns_vh(shape, full):
    a = rng(15).randn(*shape)
    u, s, vh = tc.linalg.svd(t(a), full_matrices=full)
    res = tc.linalg.svd(t(a), full_matrices=full)
    assert torch.equal(res.U, u) and torch.equal(res.S, s) and torch.equal(res.Vh, vh)
    u_np, s_np, vh_np = np.linalg.svd(a, full_matrices=full)
    assert tuple(u.shape) == u_np.shape and tuple(vh.shape) == vh_np.shape
    close(s, s_np)
    k = s.shape[-1]
    recon = torch.matmul(u[..., :k] * s.unsqueeze(-2), vh[..., :k, :])
    close(recon, a)  # with V instead of Vh this fails (a is not symmetric)
    rows = vh.shape[-2]
    close(torch.matmul(vh, vh.transpose(-1, -2)), np.broadcast_to(np.eye(rows), vh_np.shape[:-1] + (rows,)))


def test_svd_positional_full_matrices_default():
    a = rng(16).randn(5, 3)
    assert tuple(tc.linalg.svd(t(a)).U.shape) == (5, 5)
    assert tuple(tc.linalg.svd(t(a), False).U.shape) == (5, 3)


def test_svdvals_and_gradient():
    a = rng(17).randn(2, 4, 3)
    close(tc.linalg.svdvals(t(a)), np.linalg.svd(a, compute_uv=False))
    x = t(a[0]).requires_grad_(True)
    tc.linalg.svdvals(x).sum().backward()
    u, _, vh = np.linalg.svd(a[0], full_matrices=False)
    close(x.grad, u @ vh)  # d(sum of singular values)/dA = U Vh


@pytest.mark.parametrize("driver", [None, "gelsy", "gelsd", "gelss", "gels"])
def test_lstsq_overdetermined(driver):
    a = rng(18).randn(2, 6, 3)
    b = rng(19).randn(2, 6, 2)
    res = tc.linalg.lstsq(t(a), t(b), driver=driver)
    assert len(res) == 4
    want = np.stack([np.linalg.lstsq(a[i], b[i], rcond=None)[0] for i in range(2)])
    close(res.solution, want)
    if driver in ("gelsd", "gelss", "gels"):  # residuals only where the driver reports them (not gelsy)
        close(res.residuals, np.stack([np.linalg.lstsq(a[i], b[i], rcond=None)[1] for i in range(2)]))
    else:
        assert res.residuals.numel() == 0
    if driver == "gels":
        assert res.rank.numel() == 0
    else:
        assert res.rank.tolist() == [3, 3] and res.rank.dtype == torch.int64
    if driver in ("gelsd", "gelss"):
        close(res.singular_values, np.linalg.svd(a, compute_uv=False))
    else:
        assert res.singular_values.numel() == 0


def test_lstsq_vector_rank_deficient_and_underdetermined():
    a = rng(20).randn(6, 3)
    v = rng(21).randn(6)
    close(tc.linalg.lstsq(t(a), t(v)).solution, np.linalg.lstsq(a, v, rcond=None)[0])
    deficient = a.copy()
    deficient[:, 2] = deficient[:, 0] + deficient[:, 1]
    b = rng(22).randn(6, 2)
    for driver in ("gelsy", "gelsd"):
        res = tc.linalg.lstsq(t(deficient), t(b), driver=driver)
        close(res.solution, np.linalg.lstsq(deficient, b, rcond=None)[0])  # the minimum-norm solution
        assert int(res.rank) == 2
        assert res.residuals.numel() == 0
    wide = rng(23).randn(3, 5)
    close(tc.linalg.lstsq(t(wide), t(b[:3])).solution, np.linalg.lstsq(wide, b[:3], rcond=None)[0])


def test_matrix_rank():
    a = rng(24).randn(3, 5, 4)
    a[1, :, 3] = a[1, :, 0] - 2 * a[1, :, 1]
    a[2] = np.outer(a[2, :, 0], a[2, 0, :])
    want = np.array([np.linalg.matrix_rank(m) for m in a])
    got = tc.linalg.matrix_rank(t(a))
    assert got.dtype == torch.int64
    assert got.tolist() == want.tolist()
    s = spd((), 4, seed=25)
    s[:, 0] = 0.0
    s[0, :] = 0.0
    assert int(tc.linalg.matrix_rank(t(s), hermitian=True)) == np.linalg.matrix_rank(s, hermitian=True) == 3


def test_matrix_rank_tolerances():
    d = np.diag([10.0, 1.0, 0.1, 1e-3])
    assert int(tc.linalg.matrix_rank(t(d), atol=0.05)) == 3
    assert int(tc.linalg.matrix_rank(t(d), rtol=0.05)) == 2
    assert int(tc.linalg.matrix_rank(t(d), atol=0.05, rtol=0.05)) == 2
    assert int(tc.linalg.matrix_rank(t(d), 0.5)) == 2  # the old positional tol is absolute
    both = np.stack([d, 2 * d])
    assert tc.linalg.matrix_rank(t(both), atol=t(np.array([0.05, 0.5]))).tolist() == [3, 2]


def test_pinv():
    a = rng(26).randn(2, 5, 3)
    close(tc.linalg.pinv(t(a)), np.linalg.pinv(a))
    wide = rng(27).randn(3, 5)
    close(tc.linalg.pinv(t(wide)), np.linalg.pinv(wide))
    s = spd((2,), 4, seed=28)
    close(tc.linalg.pinv(t(s), hermitian=True), np.linalg.pinv(s, hermitian=True))
    d = np.diag([10.0, 1.0, 0.1, 1e-3])
    close(tc.linalg.pinv(t(d), atol=0.05), np.diag([0.1, 1.0, 10.0, 0.0]))
    close(tc.linalg.pinv(t(d), rtol=0.05), np.diag([0.1, 1.0, 0.0, 0.0]))
    close(tc.linalg.pinv(t(d), 0.05), np.diag([0.1, 1.0, 0.0, 0.0]))  # positional rcond is relative
    # linalg's default cutoff is max(m, n) * eps relative, not torch.pinverse's 1e-15
    tiny = np.diag([1.0, 1e-17 * 3])
    close(tc.linalg.pinv(t(tiny)), np.linalg.pinv(tiny, rcond=2 * np.finfo(np.float64).eps))


# -- multi_dot, norms --------------------------------------------------------------------------------------------


def test_multi_dot():
    r = rng(29)
    a, b, c, d = r.randn(3, 4), r.randn(4, 6), r.randn(6, 2), r.randn(2, 5)
    close(tc.linalg.multi_dot([t(a), t(b), t(c), t(d)]), np.linalg.multi_dot([a, b, c, d]))
    close(tc.linalg.multi_dot([t(a), t(b)]), a @ b)
    v, w = r.randn(3), r.randn(5)
    close(tc.linalg.multi_dot([t(v), t(a), t(b), t(c), t(d), t(w)]), np.linalg.multi_dot([v, a, b, c, d, w]))
    close(tc.linalg.multi_dot([t(v), t(a)]), v @ a)
    close(tc.linalg.multi_dot([t(a), t(b), t(c[:, 0])]), a @ b @ c[:, 0])
    with pytest.raises(RuntimeError):
        tc.linalg.multi_dot([t(a)])
    with pytest.raises(RuntimeError):
        tc.linalg.multi_dot([t(a), t(r.randn(2, 4, 6)), t(c)])


VECTOR_ORDS = [2, 1, 3, 0.5, 0, float("inf"), float("-inf")]


@pytest.mark.parametrize("ord", VECTOR_ORDS)
@pytest.mark.parametrize("dim", [None, 1, -1, (0, 2), (2, 0)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_vector_norm(ord, dim, keepdim):
    x = rng(30).randn(3, 4, 5)
    x[0, 0, 0] = 0.0
    axes = tuple(range(3)) if dim is None else dim
    a = np.abs(x)
    if ord == float("inf"):
        want = a.max(axis=axes, keepdims=keepdim)
    elif ord == float("-inf"):
        want = a.min(axis=axes, keepdims=keepdim)
    elif ord == 0:
        want = (a != 0).sum(axis=axes, keepdims=keepdim).astype(np.float64)
    else:
        want = (a**ord).sum(axis=axes, keepdims=keepdim) ** (1.0 / ord)
    close(tc.linalg.vector_norm(t(x), ord, dim, keepdim), want)
    close(tc.linalg.vector_norm(t(x), ord=ord, dim=dim, keepdim=keepdim), want)


def test_vector_norm_default_and_dtype():
    x = rng(31).randn(3, 4).astype(np.float32)
    close(tc.linalg.vector_norm(t(x), dtype=torch.float64), np.linalg.norm(x.astype(np.float64).ravel()), tol=1e-12)
    assert tc.linalg.vector_norm(t(x)).dtype == torch.float32
    assert tc.linalg.vector_norm(t(x), dtype=torch.float64).dtype == torch.float64


MATRIX_ORDS = ["fro", "nuc", 1, -1, 2, -2, float("inf"), float("-inf")]


@pytest.mark.parametrize("ord", MATRIX_ORDS)
@pytest.mark.parametrize("dim", [(-2, -1), (0, 2), (2, 0)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_matrix_norm(ord, dim, keepdim):
    x = rng(32).randn(3, 4, 5)
    want = np.linalg.norm(x, ord=ord, axis=dim, keepdims=keepdim)
    close(tc.linalg.matrix_norm(t(x), ord, dim, keepdim), want)
    if dim == (-2, -1) and not keepdim:
        close(tc.linalg.matrix_norm(t(x), ord=ord), want)


def test_matrix_norm_default_is_frobenius():
    x = rng(33).randn(2, 3, 4)
    close(tc.linalg.matrix_norm(t(x)), np.linalg.norm(x, axis=(-2, -1)))


@pytest.mark.parametrize(
    "ord, dim",
    [
        (None, None),
        (None, 1),
        (None, (0, 1)),
        (3, 0),
        ("fro", None),
        ("nuc", None),
        (2, None),
        (float("inf"), None),
        (1, (1, 0)),
        (-2, None),
    ],
)
def test_norm_dispatch(ord, dim):
    m = rng(34).randn(4, 5)
    close(tc.linalg.norm(t(m), ord, dim), np.linalg.norm(m, ord=ord, axis=dim))
    close(tc.linalg.norm(t(m), ord=ord, dim=dim, keepdim=True), np.linalg.norm(m, ord=ord, axis=dim, keepdims=True))


def test_norm_flattens_without_ord_and_dim():
    x = rng(35).randn(2, 3, 4)
    close(tc.linalg.norm(t(x)), np.linalg.norm(x.ravel()))
    v = rng(36).randn(6)
    close(tc.linalg.norm(t(v), 1), np.linalg.norm(v, 1))
    with pytest.raises(RuntimeError):
        tc.linalg.norm(t(x), 2)  # ord without dim needs a 1-D or 2-D input


# -- lu_factor, lu_solve, solve_triangular ------------------------------------------------------------------------


def _getrf(a):
    """LAPACK getrf (partial pivoting, 1-based pivots) in NumPy, the reference for lu_factor."""
    lu = a.copy()
    n = lu.shape[0]
    piv = np.zeros(n, dtype=np.int32)
    for k in range(n):
        p = k + int(np.argmax(np.abs(lu[k:, k])))
        piv[k] = p + 1
        if p != k:
            lu[[k, p]] = lu[[p, k]]
        lu[k + 1 :, k] /= lu[k, k]
        lu[k + 1 :, k + 1 :] -= np.outer(lu[k + 1 :, k], lu[k, k + 1 :])
    return lu, piv


def test_lu_factor_matches_getrf():
    a = rng(37).randn(2, 3, 4, 4)
    res = tc.linalg.lu_factor(t(a))
    lu, piv = res
    assert torch.equal(res.LU, lu) and torch.equal(res.pivots, piv)
    assert piv.dtype == torch.int32
    for idx in np.ndindex(2, 3):
        want_lu, want_piv = _getrf(a[idx])
        close(lu[idx], want_lu)
        assert piv[idx].tolist() == want_piv.tolist()


def test_lu_factor_singular_raises():
    with pytest.raises(RuntimeError):
        tc.linalg.lu_factor(torch.zeros(3, 3, dtype=torch.float64))


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [False, True])
def test_lu_solve(left, adjoint):
    a = rng(38).randn(2, 4, 4)
    b = rng(39).randn(2, 4, 3) if left else rng(39).randn(2, 3, 4)
    lu, piv = tc.linalg.lu_factor(t(a))
    op = np.swapaxes(a, -1, -2) if adjoint else a
    if left:
        want = np.linalg.solve(op, b)
    else:  # X op = B
        want = np.swapaxes(np.linalg.solve(np.swapaxes(op, -1, -2), np.swapaxes(b, -1, -2)), -1, -2)
    close(tc.linalg.lu_solve(lu, piv, t(b), left=left, adjoint=adjoint), want)


def test_lu_solve_broadcasts_b():
    a = rng(40).randn(3, 4, 4)
    b = rng(41).randn(4, 2)
    lu, piv = tc.linalg.lu_factor(t(a))
    close(tc.linalg.lu_solve(lu, piv, t(b)), np.linalg.solve(a, np.broadcast_to(b, (3, 4, 2))))


@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("unitriangular", [False, True])
def test_solve_triangular(upper, left, unitriangular):
    a = rng(42).randn(2, 4, 4) + 4 * np.eye(4)
    tri = np.triu(a) if upper else np.tril(a)
    if unitriangular:
        tri = tri - np.eye(4) * np.diagonal(tri, axis1=-2, axis2=-1)[..., None, :] + np.eye(4)
        # solve_triangular must ignore the diagonal it is given and use ones
    b = rng(43).randn(2, 4, 3) if left else rng(43).randn(2, 3, 4)
    if left:
        want = np.linalg.solve(tri, b)
    else:
        want = np.swapaxes(np.linalg.solve(np.swapaxes(tri, -1, -2), np.swapaxes(b, -1, -2)), -1, -2)
    given = a if unitriangular else tri  # with unitriangular, the other triangle and diagonal are ignored
    close(tc.linalg.solve_triangular(t(given), t(b), upper=upper, left=left, unitriangular=unitriangular), want)


def test_solve_triangular_broadcast_and_keyword_only():
    a = np.triu(rng(44).randn(4, 4)) + 4 * np.eye(4)
    b = rng(45).randn(3, 4, 2)
    close(tc.linalg.solve_triangular(t(a), t(b), upper=True), np.linalg.solve(np.broadcast_to(a, (3, 4, 4)), b))
    with pytest.raises(TypeError):
        tc.linalg.solve_triangular(t(a), t(b), True)


# -- named tuples ---------------------------------------------------------------------------------------------------


def test_named_tuple_fields():
    a = spd((), 3, seed=46)
    fields = {
        "eigh": ("eigenvalues", "eigenvectors"),
        "qr": ("Q", "R"),
        "slogdet": ("sign", "logabsdet"),
        "svd": ("U", "S", "Vh"),
        "lu_factor": ("LU", "pivots"),
    }
    for name, names in fields.items():
        res = getattr(tc.linalg, name)(t(a))
        for i, field in enumerate(names):
            assert getattr(res, field) is res[i]
    res = tc.linalg.lstsq(t(a), t(a[:, :1]))
    for i, field in enumerate(("solution", "residuals", "rank", "singular_values")):
        assert getattr(res, field) is res[i]


# -- the backports themselves, against torch's own torch.linalg on this torch ------------------------------------


class _WithoutLinalg:
    """This torch's env with torch.linalg hidden: resolving an adapter builds the backport from the old
    functions this torch still has (svd, qr, cholesky, lu, triangular_solve ...)."""

    def __init__(self, env):
        self._env = env
        self.torch = env.torch
        self.version = env.version

    def get(self, path):
        return MISSING if path.startswith("linalg.") else self._env.get(path)

    def has(self, path):
        return self.get(path) is not MISSING

    def __getattr__(self, name):
        return getattr(self._env, name)


def _backport(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = getattr(la, "_" + name)(_WithoutLinalg(ENV))
    assert res.status == BACKPORTED
    return res.obj


def _own(name):
    fn = ENV.get("linalg." + name)
    if fn is MISSING or BINDING.status("linalg." + name) != NATIVE:
        pytest.skip("torch.linalg.%s is not native here: nothing to compare the backport with" % name)
    return fn


def _old_works(*names):
    """Does this torch still run the old functions (some raise or are gone in 2.x)?"""
    eye = torch.eye(2, dtype=torch.float64) + 1
    for name in names:
        fn = getattr(torch, name, None)
        if fn is None:
            return False
        args = (eye, eye) if name in ("chain_matmul", "triangular_solve") else (eye,)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fn(*args)
        except Exception:
            return False
    return True


def _same(got, want, tol=1e-10):
    got = list(got) if isinstance(got, tuple) else [got]
    want = list(want) if isinstance(want, tuple) else [want]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and tuple(g.shape) == tuple(w.shape)
        if g.numel():
            assert torch.allclose(g.double(), w.double(), rtol=tol, atol=tol), (g, w)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize(
    "name, old, call",
    [
        ("inv", ("inverse",), lambda f, a, b: f(a)),
        ("det", ("det",), lambda f, a, b: f(a)),
        ("slogdet", ("slogdet",), lambda f, a, b: f(a)),
        ("qr", ("qr",), lambda f, a, b: f(a[..., :3])),
        ("qr", ("qr",), lambda f, a, b: f(a[..., :3], mode="complete")),
        ("qr", ("qr",), lambda f, a, b: f(a[..., :3, :], mode="r")),
        ("cholesky", ("cholesky",), lambda f, a, b: f(torch.matmul(a, a.transpose(-1, -2)) + torch.eye(4).double())),
        ("svd", ("svd",), lambda f, a, b: f(a[..., :3])),
        ("svd", ("svd",), lambda f, a, b: f(a[..., :3, :], full_matrices=False)),
        ("svdvals", ("svd",), lambda f, a, b: f(a)),
        ("lstsq", ("svd",), lambda f, a, b: f(a[..., :3], b, driver="gelsd")),
        ("lstsq", ("svd",), lambda f, a, b: f(a[..., :3], b, driver="gelss")),
        ("matrix_rank", ("svd",), lambda f, a, b: f(a)),
        ("matrix_rank", ("svd",), lambda f, a, b: f(a, atol=0.5, rtol=0.1)),
        ("pinv", ("svd",), lambda f, a, b: f(a[..., :3])),
        ("pinv", ("svd",), lambda f, a, b: f(a, atol=0.5)),
        ("multi_dot", ("chain_matmul",), lambda f, a, b: f([a[0], a[1], b[0], b[0].t()])),
        ("multi_dot", ("chain_matmul",), lambda f, a, b: f([b[0, :, 0], a[0], b[1]])),
        ("vector_norm", (), lambda f, a, b: f(a, 3, (0, 2), True)),
        ("vector_norm", (), lambda f, a, b: f(a, float("inf"))),
        ("matrix_norm", ("svd",), lambda f, a, b: f(a, "nuc")),
        ("matrix_norm", ("svd",), lambda f, a, b: f(a, -1, (0, 2))),
        ("norm", ("svd",), lambda f, a, b: f(a[0], 2)),
        ("norm", ("svd",), lambda f, a, b: f(a, None, (1, 2), True)),
        ("lu_factor", ("lu",), lambda f, a, b: f(a)),
        ("solve_triangular", ("triangular_solve",), lambda f, a, b: f(a.triu(), b, upper=True)),
        (
            "solve_triangular",
            ("triangular_solve",),
            lambda f, a, b: f(a.tril(), b.transpose(-1, -2), upper=False, left=False),
        ),
    ],
)
def test_backport_equals_native(name, old, call):
    own = _own(name)
    if not _old_works(*old):
        pytest.skip("this torch no longer runs torch.%s" % "/".join(old))
    a = t(rng(47).randn(2, 4, 4) + 2 * np.eye(4))
    b = t(rng(48).randn(2, 4, 2))
    _same(call(_backport(name), a, b), call(own, a, b))


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("left, adjoint", [(True, False), (True, True), (False, False), (False, True)])
def test_lu_solve_backport_equals_native(left, adjoint):
    own = _own("lu_solve")
    if not _old_works("lu"):
        pytest.skip("this torch no longer runs torch.lu")
    a = t(rng(49).randn(2, 4, 4))
    b = t(rng(50).randn(2, 4, 4))
    lu, piv = torch.linalg.lu_factor(a)
    _same(_backport("lu_solve")(lu, piv, b, left=left, adjoint=adjoint), own(lu, piv, b, left=left, adjoint=adjoint))


# -- out=, dtypes, gradients --------------------------------------------------------------------------------------


def test_out_arguments():
    a = t(rng(51).randn(3, 3) + 3 * np.eye(3))
    b = t(rng(52).randn(3, 2))
    out = torch.empty(0, dtype=torch.float64)
    got = tc.linalg.solve(a, b, out=out)
    assert got is out or got.data_ptr() == out.data_ptr()
    close(out, np.linalg.solve(a.numpy(), b.numpy()))
    s = a + a.t()
    w, v = torch.empty(0, dtype=torch.float64), torch.empty(0, dtype=torch.float64)
    tc.linalg.eigh(s, out=(w, v))
    close(w, np.linalg.eigh(s.numpy())[0])
    n = torch.empty(0, dtype=torch.float64)
    tc.linalg.vector_norm(a, 3, out=n)
    close(n, (np.abs(a.numpy()) ** 3).sum() ** (1 / 3.0))


@pytest.mark.parametrize(
    "name, call",
    [
        ("solve", lambda L, a, b: L.solve(a, b)),
        ("inv", lambda L, a, b: L.inv(a)),
        ("eigh", lambda L, a, b: L.eigh(a + a.t())[0]),
        ("qr", lambda L, a, b: L.qr(a)[1]),
        ("svd", lambda L, a, b: L.svd(a)[1]),
        ("lstsq", lambda L, a, b: L.lstsq(a, b).solution),
        ("pinv", lambda L, a, b: L.pinv(a)),
        ("matrix_norm", lambda L, a, b: L.matrix_norm(a, "nuc")),
        ("vector_norm", lambda L, a, b: L.vector_norm(a, 3)),
        ("solve_triangular", lambda L, a, b: L.solve_triangular(a.triu(), b, upper=True)),
    ],
)
def test_float32_in_float32_out(name, call):
    a64 = rng(53).randn(4, 4) + 4 * np.eye(4)
    b64 = rng(54).randn(4, 2)
    got = call(tc.linalg, t(a64).float(), t(b64).float())
    want = call(tc.linalg, t(a64), t(b64))
    assert got.dtype == torch.float32
    np.testing.assert_allclose(got.double().numpy(), want.numpy(), rtol=1e-4, atol=1e-4)


def test_gradients_flow_through_solve_and_eigh():
    a = t(rng(55).randn(3, 3) + 3 * np.eye(3)).requires_grad_(True)
    b = t(rng(56).randn(3, 2))
    tc.linalg.solve(a, b).sum().backward()
    inv_t = np.linalg.inv(a.detach().numpy()).T
    x = np.linalg.solve(a.detach().numpy(), b.numpy())
    close(a.grad, -inv_t @ np.ones((3, 2)) @ x.T)  # d sum(A^-1 B) / dA = -A^-T 1 X^T
    s = t(spd((), 3, seed=57)).requires_grad_(True)
    tc.linalg.eigvalsh(s).sum().backward()  # sum of eigenvalues = trace
    close(s.grad, np.eye(3))


@pytest.mark.parametrize("name", ["solve", "inv", "det", "slogdet", "eigh", "eigvalsh", "cholesky"])
def test_non_square_raises(name):
    a = t(rng(58).randn(2, 4, 3))
    args = (a, t(rng(59).randn(2, 4, 2))) if name == "solve" else (a,)
    with pytest.raises(RuntimeError):
        getattr(tc.linalg, name)(*args)
    with pytest.raises(RuntimeError):
        getattr(tc.linalg, name)(*[x[0] for x in args])
