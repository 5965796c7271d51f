"""``tc.linalg.qr``, ``cholesky``, ``svd``, ``svdvals``, ``lstsq``, ``matrix_rank``, ``pinv``: torch.linalg's where
present, else backports over qr/geqrf, cholesky/potrf, svd, gels."""

from __future__ import annotations

from typing import Any, Callable, Optional, Tuple

from torchcompat.probe import MISSING
from torchcompat.registry import Resolution, backport, native
from torchcompat.shifts.linalg.batching import (
    _batched_call,
    _broadcast_shape,
    _eps,
    _expand_batch,
    _finish,
    _mH,
    _missing_kw,
    _old,
    _per_matrix,
    _real_dtype,
)
from torchcompat.shifts.linalg.eigen import (
    _eigh,
    _eigvalsh,
)
from torchcompat.shifts.linalg.records import (
    LA_CHOLESKY,
    LA_LSTSQ,
    LA_MATRIX_RANK,
    LA_PINVERSE,
    LA_QR,
    LA_SVD,
)
from torchcompat.shifts.linalg.results import (
    LstsqResult,
    QRResult,
    SVDResult,
    Tensor,
)

# -- qr, cholesky -------------------------------------------------------------------------------------------------


@LA_QR.native_or("linalg.qr")
def _qr(env: Any) -> Resolution:
    torch = env.torch
    has_some = env.accepts("qr", "some")
    if has_some:
        reduced = _batched_call(env, "qr-some", lambda a: torch.qr(a, some=True), lambda a, b: (a,))
        complete = _batched_call(env, "qr-full", lambda a: torch.qr(a, some=False), lambda a, b: (a,))
    else:
        reduced = _batched_call(env, "qr", torch.qr, lambda a, b: (a,))

        def complete_one(a: Tensor) -> Tuple[Tensor, Tensor]:
            m, n = a.shape
            if m <= n:
                return torch.qr(a)
            # torch 1.0's qr has no `some`: the complete Q is geqrf's reflectors applied to I_m (ormqr).
            h, tau = torch.geqrf(a)
            q = torch.ormqr(h, tau, torch.eye(m, dtype=a.dtype, device=a.device))
            return (q[0] if isinstance(q, tuple) else q), torch.triu(h)

        def complete(a: Tensor) -> Any:
            return _per_matrix(torch, complete_one, (a,), (2,))

    def qr(A: Tensor, mode: str = "reduced", *, out: Optional[Tuple[Tensor, Tensor]] = None) -> Any:
        """torch.linalg.qr for torch < 1.8: torch.qr(A, some=mode != 'complete') (geqrf + ormqr on 1.0, which has
        no `some`), batched; mode='r' returns an empty Q like linalg.qr. pytorch#42666, deprecation PR #57745.
        Remove when torch >= 1.8."""
        if mode not in ("reduced", "complete", "r"):
            raise RuntimeError(
                "qr received unrecognized mode '%s' but expected one of 'reduced' (default), 'r', or 'complete'" % mode
            )
        if A.dim() < 2:
            raise RuntimeError("linalg.qr: The input tensor A must have at least 2 dimensions.")
        Q, R = (complete if mode == "complete" else reduced)(A)
        if mode == "r":
            Q = A.new_empty((0,))
        return _finish(QRResult(Q, R), out)

    return backport(qr)


@LA_CHOLESKY.adapter("linalg.cholesky")
def _cholesky(env: Any) -> Resolution:
    fn = env.get("linalg.cholesky")
    torch = env.torch
    if fn is not MISSING:
        if not _missing_kw(env, "linalg.cholesky", "upper"):
            return native(fn)
        own = fn

        def cholesky_upper(A: Tensor, *, upper: bool = False, out: Optional[Tensor] = None) -> Tensor:
            """torch.linalg.cholesky with ``upper=`` for torch 1.8-1.9 (the conjugate transpose of L).
            PR #62434. Remove when torch >= 1.10."""
            L = own(A)
            return _finish(_mH(L) if upper else L, out)

        return backport(cholesky_upper, "adds upper=")
    lower = _batched_call(env, "cholesky-L", lambda a: torch.cholesky(a, upper=False), lambda a, b: (a,))
    upper_ = _batched_call(env, "cholesky-U", lambda a: torch.cholesky(a, upper=True), lambda a, b: (a,))

    def cholesky(A: Tensor, *, upper: bool = False, out: Optional[Tensor] = None) -> Tensor:
        """torch.linalg.cholesky for torch < 1.8: torch.cholesky(A, upper=upper) (the upper factor is L^H),
        batched. pytorch#42666, deprecation PR #57725. Remove when torch >= 1.8 (1.10 for ``upper``)."""
        L = (upper_ if upper else lower)(A)
        return L if out is None else _finish(L, out)

    return backport(cholesky)


# -- svd, svdvals, lstsq, matrix_rank, pinv -------------------------------------------------------------------------


def _svd_calls(env: Any) -> Tuple[Callable[[Tensor], Any], Callable[[Tensor], Any], Callable[[Tensor], Tensor]]:
    """Batched torch.svd(some=True), torch.svd(some=False), and singular values only."""
    torch = env.torch
    some = _batched_call(env, "svd-some", lambda a: tuple(torch.svd(a, some=True)), lambda a, b: (a,))
    full = _batched_call(env, "svd-full", lambda a: tuple(torch.svd(a, some=False)), lambda a, b: (a,))
    vals = _batched_call(env, "svd-vals", lambda a: torch.svd(a, some=True, compute_uv=False)[1], lambda a, b: (a,))

    def values(A: Tensor) -> Tensor:
        # Old torch cannot differentiate through compute_uv=False.
        return some(A)[1] if A.requires_grad else vals(A)

    return some, full, values


@LA_SVD.adapter("linalg.svd")
def _svd(env: Any) -> Resolution:
    fn = env.get("linalg.svd")
    if fn is not MISSING:
        if env.behaves("linalg-svd-Vh", lambda t: hasattr(t.linalg.svd(t.eye(2)), "Vh")):
            return native(fn)
        own = fn

        def svd_vh(
            A: Tensor,
            full_matrices: bool = True,
            *,
            driver: Optional[str] = None,
            out: Optional[Tuple[Tensor, ...]] = None,
        ) -> Any:
            """torch.linalg.svd of torch 1.8 with the third field named ``Vh`` (1.8 called it ``V`` although it
            held V^H). PR #57181. Remove when torch >= 1.9."""
            U, S, Vh = own(A, full_matrices)
            return _finish(SVDResult(U, S, Vh), out)

        return backport(svd_vh, "renames V to Vh")
    some, full, _ = _svd_calls(env)

    def svd(
        A: Tensor, full_matrices: bool = True, *, driver: Optional[str] = None, out: Optional[Tuple[Tensor, ...]] = None
    ) -> Any:
        """torch.linalg.svd for torch < 1.8: torch.svd(A, some=not full_matrices) returning (U, S, Vh) with
        Vh = V^H (torch.svd returns V), batched. PR #45562, pytorch#42666. Remove when torch >= 1.8."""
        if A.dim() < 2:
            raise RuntimeError("linalg.svd: The input tensor A must have at least 2 dimensions.")
        U, S, V = (full if full_matrices else some)(A)
        return _finish(SVDResult(U, S, _mH(V)), out)

    return backport(svd)


@LA_SVD.native_or("linalg.svdvals")
def _svdvals(env: Any) -> Resolution:
    _, _, values = _svd_calls(env)

    def svdvals(A: Tensor, *, driver: Optional[str] = None, out: Optional[Tensor] = None) -> Tensor:
        """torch.linalg.svdvals for torch < 1.9: torch.svd(A, compute_uv=False).S (with U, V when A needs a
        gradient), batched. pytorch#42666. Remove when torch >= 1.9."""
        if A.dim() < 2:
            raise RuntimeError("linalg.svdvals: The input tensor A must have at least 2 dimensions.")
        return _finish(values(A), out)

    return backport(svdvals)


_LSTSQ_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


@LA_LSTSQ.native_or("linalg.lstsq")
def _lstsq(env: Any) -> Resolution:
    torch = env.torch
    old = _old(env, "lstsq", "gels")  # torch.gels(B, A) to 1.2, torch.lstsq(B, A) from 1.2: 2-D only
    some, _, _ = _svd_calls(env)

    def lstsq(A: Tensor, B: Tensor, rcond: Optional[float] = None, *, driver: Optional[str] = None) -> Any:
        """torch.linalg.lstsq for torch < 1.9: (solution, residuals, rank, singular_values) with linalg's argument
        order and driver semantics. 'gels' (CUDA's only driver) runs torch.gels/lstsq(B, A) (arguments reversed,
        result trimmed from (max(m, n), k) to (n, k)); 'gelsy' (the CPU default), 'gelsd', 'gelss' compute the
        minimum-norm solution from an SVD with the rcond cutoff (default eps * max(m, n)), as those LAPACK drivers
        do. PR #49093, deprecation PR #57743. Remove when torch >= 1.9."""
        if driver is None:
            driver = "gels" if A.is_cuda else "gelsy"
        if driver not in _LSTSQ_DRIVERS:
            raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
        if A.is_cuda and driver != "gels":
            raise RuntimeError("torch.linalg.lstsq: `driver` other than `gels` is not supported on CUDA")
        if A.dim() < 2:
            raise RuntimeError("torch.linalg.lstsq: input must have at least 2 dimensions.")
        vector = B.dim() == A.dim() - 1
        rhs = B.unsqueeze(-1) if vector else B
        m, n = int(A.shape[-2]), int(A.shape[-1])
        batch = _broadcast_shape(A.shape[:-2], rhs.shape[:-2])
        A_, B_ = _expand_batch(A, batch, 2), _expand_batch(rhs, batch, 2)
        real = _real_dtype(torch, A.dtype)
        empty_real = torch.empty(0, dtype=real, device=A.device)
        empty_long = torch.empty(0, dtype=torch.int64, device=A.device)
        if driver == "gels":
            if old is MISSING:
                raise RuntimeError("torch.linalg.lstsq: driver 'gels' needs torch.gels or torch.lstsq")

            def one(a: Tensor, b: Tensor) -> Tensor:
                return old(b.contiguous(), a.contiguous())[0][:n]

            X = _per_matrix(torch, one, (A_, B_), (2, 2))
            rank, singular_values = empty_long, empty_real
            full_rank = True
        else:
            if rcond is None or rcond < 0:
                rcond = _eps(torch, A.dtype) * max(m, n)
            U, S, V = some(A_)
            mask = S > S[..., :1] * rcond
            rank = mask.long().sum(-1)
            inv = torch.where(mask, 1.0 / S, torch.zeros_like(S))
            X = torch.matmul(V, inv.unsqueeze(-1) * torch.matmul(_mH(U), B_))
            singular_values = S if driver in ("gelsd", "gelss") else empty_real
            full_rank = driver != "gelsy" and bool((rank == n).all())
        if m > n and full_rank:
            residuals = (torch.matmul(A_, X) - B_).abs().pow(2).sum(-2)
        else:
            residuals = empty_real
        if vector:
            X = X.squeeze(-1)
            if residuals.numel():
                residuals = residuals.squeeze(-1)
        return LstsqResult(X, residuals, rank, singular_values)

    return backport(lstsq)


def _as_tol(torch: Any, value: Any, like: Tensor) -> Tensor:
    """A tolerance (float or tensor of the batch shape) broadcastable against singular values (*, k)."""
    if isinstance(value, torch.Tensor):
        value = value.to(dtype=like.dtype, device=like.device)
        return value.unsqueeze(-1) if value.dim() > 0 else value
    return torch.full((1,), float(value), dtype=like.dtype, device=like.device)


def _cutoff(torch: Any, S: Tensor, atol: Any, rtol: Any, m: int, n: int) -> Tensor:
    """max(atol, rtol * S_max) with linalg's defaults: rtol = max(m, n) * eps unless atol > 0 is given."""
    default_rtol = _eps(torch, S.dtype) * max(m, n)
    if rtol is None:
        if atol is None:
            rtol = default_rtol
        elif isinstance(atol, torch.Tensor):
            rtol = torch.where(atol > 0, torch.zeros_like(atol), torch.full_like(atol, default_rtol))
        else:
            rtol = 0.0 if atol > 0 else default_rtol
    if atol is None:
        atol = 0.0
    smax = S.max(-1, keepdim=True)[0] if S.shape[-1] else torch.zeros_like(S[..., :1])
    return torch.max(_as_tol(torch, atol, S), _as_tol(torch, rtol, S) * smax)


@LA_MATRIX_RANK.adapter("linalg.matrix_rank")
def _matrix_rank(env: Any) -> Resolution:
    fn = env.get("linalg.matrix_rank")
    torch = env.torch
    own = fn if fn is not MISSING else None
    if own is not None and not _missing_kw(env, "linalg.matrix_rank", "atol"):
        return native(fn)
    _, _, values = _svd_calls(env)
    eigvalsh = _eigvalsh(env).obj

    def matrix_rank(
        A: Tensor,
        tol: Any = None,
        hermitian: bool = False,
        *,
        atol: Any = None,
        rtol: Any = None,
        out: Optional[Tensor] = None,
    ) -> Tensor:
        """torch.linalg.matrix_rank for torch < 1.11: the number of singular values (|eigenvalues| when
        ``hermitian``) above max(atol, rtol * largest), with linalg's defaults; the old positional ``tol`` is an
        absolute tolerance. Built on torch.svd / symeig (torch.matrix_rank was 2-D only and had no atol/rtol).
        pytorch#42666 (atol/rtol in 1.11), deprecation PR #57734. Remove when torch >= 1.11."""
        if own is not None and atol is None and rtol is None:
            return own(A, tol, hermitian) if out is None else own(A, tol, hermitian, out=out)
        if A.dim() < 2:
            raise RuntimeError("linalg.matrix_rank: The input tensor A must have at least 2 dimensions.")
        if tol is not None:
            atol, rtol = tol, 0.0
        S = eigvalsh(A).abs() if hermitian else values(A)
        cut = _cutoff(torch, S, atol, rtol, int(A.shape[-2]), int(A.shape[-1]))
        return _finish((S > cut).long().sum(-1), out)

    return backport(matrix_rank)


@LA_PINVERSE.adapter("linalg.pinv")
def _pinv(env: Any) -> Resolution:
    fn = env.get("linalg.pinv")
    torch = env.torch
    own = fn if fn is not MISSING else None
    if own is not None and not _missing_kw(env, "linalg.pinv", "atol"):
        return native(fn)
    some, _, _ = _svd_calls(env)
    eigh = _eigh(env).obj

    def pinv(
        A: Tensor,
        rcond: Any = None,
        hermitian: bool = False,
        *,
        atol: Any = None,
        rtol: Any = None,
        out: Optional[Tensor] = None,
    ) -> Tensor:
        """torch.linalg.pinv for torch < 1.11: V diag(1/S) U^H keeping singular values (|eigenvalues| of the lower
        triangle when ``hermitian``) above max(atol, rtol * largest), default rtol = max(m, n) * eps (not
        torch.pinverse's 1e-15); the old positional ``rcond`` is rtol. pytorch#42666 (atol/rtol in 1.11).
        Remove when torch >= 1.11."""
        if rcond is not None:
            rtol = rcond
        m, n = int(A.shape[-2]), int(A.shape[-1])
        if own is not None and atol is None:
            # torch 1.8-1.10: rcond is relative; pass linalg's modern default instead of 1e-15.
            relative = _eps(torch, A.dtype) * max(m, n) if rtol is None else rtol
            return own(A, relative, hermitian) if out is None else own(A, relative, hermitian, out=out)
        if A.dim() < 2:
            raise RuntimeError("linalg.pinv: The input tensor A must have at least 2 dimensions.")
        if hermitian:
            w, Q = eigh(A, "L")
            cut = _cutoff(torch, w.abs(), atol, rtol, m, n)
            inv = torch.where(w.abs() > cut, 1.0 / w, torch.zeros_like(w))
            result = torch.matmul(Q * inv.unsqueeze(-2), _mH(Q))
        else:
            U, S, V = some(A)
            cut = _cutoff(torch, S, atol, rtol, m, n)
            inv = torch.where(S > cut, 1.0 / S, torch.zeros_like(S))
            result = torch.matmul(V * inv.unsqueeze(-2), _mH(U))
        return _finish(result, out)

    return backport(pinv)
