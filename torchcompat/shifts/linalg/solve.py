"""``tc.linalg.solve``, ``inv``, ``det``, ``slogdet``, ``lu_factor``, ``lu_solve``, ``solve_triangular`` and
``tc.cholesky_inverse``: torch.linalg's where present, else backports over gesv/solve, btrifact/lu, trtrs."""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence, Tuple

from torchcompat.probe import MISSING
from torchcompat.registry import Resolution, backport, native, unavailable
from torchcompat.shifts.linalg.batching import (
    _batched_call,
    _batches,
    _broadcast_shape,
    _check_square,
    _expand_batch,
    _finish,
    _mH,
    _missing_kw,
    _mT,
    _old,
    _per_matrix,
    _vector_rhs,
)
from torchcompat.shifts.linalg.records import (
    LA_DET,
    LA_INVERSE,
    LA_LAPACK_NAMES,
    LA_LU,
    LA_LU_SOLVE,
    LA_SLOGDET,
    LA_SOLVE,
    LA_TRIANGULAR_SOLVE,
)
from torchcompat.shifts.linalg.results import (
    LUFactorResult,
    SlogdetResult,
    Tensor,
)

# -- solve, inv, det, slogdet ---------------------------------------------------------------------------------------


def _solve_backport(env: Any) -> Callable[..., Tensor]:
    old = _old(env, "solve", "gesv")  # torch.gesv(B, A) on 1.0, torch.solve(B, A) from 1.1: both batched

    def solve(A: Tensor, B: Tensor, *, left: bool = True, out: Optional[Tensor] = None) -> Tensor:
        """torch.linalg.solve(A, B) for torch < 1.8, built on torch.gesv/torch.solve(B, A) (arguments reversed,
        LU dropped), with linalg's vector right-hand side and batch broadcasting; ``left=False`` solves XA = B.
        PR #48456, pytorch#42666. Remove when torch >= 1.8 (1.13 for ``left``)."""
        if left and out is None and A.dim() == 2 and B.dim() == 2:
            return old(B, A)[0]  # the common case: gesv/solve checks the shapes itself
        _check_square("solve", A)
        if not left:
            return _finish(_mT(solve(_mT(A), _mT(B))), out)
        vector = _vector_rhs(A, B)
        rhs = B.unsqueeze(-1) if vector else B
        if A.dim() == 2 and rhs.dim() == 2:
            X = old(rhs, A)[0]
        else:
            batch = _broadcast_shape(A.shape[:-2], rhs.shape[:-2])
            X = old(_expand_batch(rhs, batch, 2).contiguous(), _expand_batch(A, batch, 2).contiguous())[0]
        return _finish(X.squeeze(-1) if vector else X, out)

    return solve


@LA_SOLVE.adapter("linalg.solve")
def _solve(env: Any) -> Resolution:
    fn = env.get("linalg.solve")
    if fn is not MISSING:
        if not _missing_kw(env, "linalg.solve", "left"):
            return native(fn)
        own = fn

        def solve(A: Tensor, B: Tensor, *, left: bool = True, out: Optional[Tensor] = None) -> Tensor:
            """torch.linalg.solve with ``left=`` for torch 1.8-1.12 (XA = B solved as A^T X^T = B^T).
            PR #74046. Remove when torch >= 1.13."""
            if left:
                return own(A, B) if out is None else own(A, B, out=out)
            return _finish(_mT(own(_mT(A), _mT(B))), out)

        return backport(solve, "adds left=")
    if _old(env, "solve", "gesv") is MISSING:
        return unavailable("1.8", "neither torch.linalg.solve nor torch.solve/torch.gesv is present")
    return backport(_solve_backport(env))


@LA_INVERSE.native_or("linalg.inv")
def _inv(env: Any) -> Resolution:
    torch = env.torch
    inverse = _batched_call(env, "inverse", torch.inverse, lambda a, b: (a,))

    def inv(A: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
        """torch.linalg.inv for torch < 1.8: torch.inverse, batched (pytorch#42666). Remove when torch >= 1.8."""
        return inverse(A) if out is None else _finish(inverse(A), out)

    return backport(inv)


@LA_DET.native_or("linalg.det")
def _det(env: Any) -> Resolution:
    torch = env.torch
    old_det = _batched_call(env, "det", torch.det, lambda a, b: (a,))

    def det(A: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
        """torch.linalg.det for torch < 1.7: torch.det, looping over the batch where it is 2-D only (1.0).
        pytorch#42666. Remove when torch >= 1.7."""
        return old_det(A) if out is None else _finish(old_det(A), out)

    return backport(det)


@LA_SLOGDET.native_or("linalg.slogdet")
def _slogdet(env: Any) -> Resolution:
    torch = env.torch
    old_slogdet = _batched_call(env, "slogdet", torch.slogdet, lambda a, b: (a,))

    def slogdet(A: Tensor, *, out: Optional[Tuple[Tensor, Tensor]] = None) -> Any:
        """torch.linalg.slogdet for torch < 1.8: torch.slogdet as a (sign, logabsdet) named tuple, batched.
        pytorch#42666. Remove when torch >= 1.8."""
        sign, logabsdet = old_slogdet(A)
        return _finish(SlogdetResult(sign, logabsdet), out)

    return backport(slogdet)


# -- lu_factor, lu_solve, solve_triangular ----------------------------------------------------------------------


def _flat3(torch: Any, fn: Callable[..., Any], args: Sequence[Tensor], cores: Sequence[int]) -> Any:
    """Call a 3-D-only old function (btrifact, btrisolve ...) with one flattened batch dim, and restore it."""
    first = args[0]
    batch = tuple(first.shape[: first.dim() - cores[0]])
    count = 1
    for b in batch:
        count *= b
    flat = [a.reshape((count,) + tuple(a.shape[a.dim() - c :])).contiguous() for a, c in zip(args, cores)]
    result = fn(*flat)
    parts = result if isinstance(result, tuple) else (result,)
    restored = tuple(p.reshape(batch + tuple(p.shape[1:])) for p in parts)
    return restored if isinstance(result, tuple) else restored[0]


@LA_LU.native_or("linalg.lu_factor")
def _lu_factor(env: Any) -> Resolution:
    torch = env.torch
    old = _old(env, "lu", "btrifact")  # torch.lu from 1.1, torch.btrifact(A) (3-D only) on 1.0
    if old is MISSING:
        return unavailable("1.11", "neither torch.linalg.lu_factor nor torch.lu/btrifact is present")
    infos = bool(env.behaves("lu-get-infos", lambda t: len(t.lu(t.eye(2).unsqueeze(0), get_infos=True)) == 3))

    def lu_factor(A: Tensor, *, pivot: bool = True, out: Optional[Tuple[Tensor, Tensor]] = None) -> Any:
        """torch.linalg.lu_factor for torch < 1.11: torch.lu(A, pivot=pivot) (torch.btrifact on 1.0) as an
        (LU, pivots) named tuple; pivots are 1-based int32 like LAPACK's; a singular matrix raises like linalg's
        (torch.lu does not); rectangular input works where torch.lu takes it (btrifact on 1.0 is square only).
        pytorch#42666, deprecation PR #73804. Remove when torch >= 1.11."""
        if A.dim() < 2:
            raise RuntimeError(
                "linalg.lu_factor: Expected tensor with 2 or more dimensions. Got size: %s instead" % (tuple(A.shape),)
            )
        if infos:
            LU, pivots, info = _flat3(torch, lambda a: tuple(old(a, pivot=pivot, get_infos=True)), (A,), (2,))
            bad = info.reshape(-1).tolist()
            for i in bad:
                if i > 0:
                    raise RuntimeError(
                        "torch.linalg.lu_factor: U[%d,%d] is zero and using it on lu_solve would result in a division "
                        "by zero." % (i, i)
                    )
        else:  # torch.btrifact (1.0) raises on a singular matrix by itself
            LU, pivots = _flat3(torch, lambda a: tuple(old(a, pivot=pivot)[:2]), (A,), (2,))
        return _finish(LUFactorResult(LU, pivots), out)

    return backport(lu_factor)


@LA_TRIANGULAR_SOLVE.native_or("linalg.solve_triangular")
def _solve_triangular(env: Any) -> Resolution:
    torch = env.torch
    old = _old(env, "triangular_solve", "trtrs")  # (B, A, upper, transpose, unitriangular) -> (X, A)
    if old is MISSING:
        return unavailable("1.11", "neither torch.linalg.solve_triangular nor torch.triangular_solve is present")

    def call(upper: bool, transpose: bool, unitriangular: bool) -> Callable[[Tensor, Tensor], Tensor]:
        return lambda b, a: old(b, a, upper, transpose, unitriangular)[0]

    batched = _batches(env, "triangular_solve", call(False, False, False), lambda a, b: (b, a.tril()))

    def solve_triangular(
        A: Tensor,
        B: Tensor,
        *,
        upper: bool,
        left: bool = True,
        unitriangular: bool = False,
        out: Optional[Tensor] = None,
    ) -> Tensor:
        """torch.linalg.solve_triangular for torch < 1.11: torch.triangular_solve(B, A, ...).solution (torch.trtrs
        on 1.0; arguments reversed), broadcasting batch dims; ``left=False`` solves XA = B via the transposed
        system. PR #63568, pytorch#42666. Remove when torch >= 1.11."""
        if A.dim() < 2 or B.dim() < 2:
            raise RuntimeError("linalg.solve_triangular: The input tensors must have at least 2 dimensions.")
        batch = _broadcast_shape(A.shape[:-2], B.shape[:-2])
        A_, B_ = _expand_batch(A, batch, 2).contiguous(), _expand_batch(B, batch, 2)
        if left:
            solver, rhs = call(upper, False, unitriangular), B_
        else:
            solver, rhs = call(upper, True, unitriangular), _mT(B_)
        rhs = rhs.contiguous()
        X = solver(rhs, A_) if batched or not batch else _per_matrix(torch, solver, (rhs, A_), (2, 2))
        return _finish(X if left else _mT(X), out)

    return backport(solve_triangular)


@LA_LU_SOLVE.native_or("linalg.lu_solve")
def _lu_solve(env: Any) -> Resolution:
    torch = env.torch
    old = _old(env, "lu_solve", "btrisolve")  # (B, LU, pivots), batched (3-D only on 1.0)
    unpack = _old(env, "lu_unpack", "btriunpack")  # (LU, pivots) -> (P, L, U) with A = P L U
    if old is MISSING or unpack is MISSING:
        return unavailable("1.13", "neither torch.linalg.lu_solve nor torch.lu_solve/btrisolve is present")
    triangular = _solve_triangular(env).obj

    def lu_solve(
        LU: Tensor,
        pivots: Tensor,
        B: Tensor,
        *,
        left: bool = True,
        adjoint: bool = False,
        out: Optional[Tensor] = None,
    ) -> Tensor:
        """torch.linalg.lu_solve for torch < 1.13: torch.lu_solve(B, LU, pivots) (torch.btrisolve on 1.0;
        arguments reordered), broadcasting batch dims; ``adjoint``/``left=False`` go through the unpacked
        P, L, U and two triangular solves. pytorch#42666, deprecation PR #73806. Remove when torch >= 1.13."""
        if LU.dim() < 2 or B.dim() < 2:
            raise RuntimeError("linalg.lu_solve: The input tensors must have at least 2 dimensions.")
        batch = _broadcast_shape(LU.shape[:-2], pivots.shape[:-1], B.shape[:-2])
        LU_ = _expand_batch(LU, batch, 2)
        piv = _expand_batch(pivots, batch, 1)
        B_ = _expand_batch(B, batch, 2)
        if left and not adjoint:
            return _finish(_flat3(torch, old, (B_, LU_, piv), (2, 2, 1)), out)
        P, L, U = _flat3(torch, lambda lu, p: tuple(unpack(lu, p)), (LU_, piv), (2, 1))

        def plain(rhs: Tensor) -> Tensor:  # A X = rhs with A = P L U
            z = triangular(L, torch.matmul(_mT(P), rhs), upper=False, unitriangular=True)
            return triangular(U, z, upper=True)

        def adj(rhs: Tensor) -> Tensor:  # A^H X = rhs with A^H = U^H L^H P^T
            y = triangular(_mH(U), rhs, upper=False)
            z = triangular(_mH(L), y, upper=True, unitriangular=True)
            return torch.matmul(P, z)

        if left:
            X = adj(B_)
        elif not adjoint:
            X = _mH(adj(_mH(B_)))  # X A = B  <=>  A^H X^H = B^H
        else:
            X = _mH(plain(_mH(B_)))  # X A^H = B  <=>  A X^H = B^H
        return _finish(X, out)

    return backport(lu_solve)


@LA_LAPACK_NAMES.native_or("cholesky_inverse")
def _cholesky_inverse(env: Any) -> Resolution:
    potri = env.get("potri")
    if potri is MISSING:
        return unavailable("1.1", "neither torch.cholesky_inverse nor torch.potri exists")
    torch = env.torch

    def cholesky_inverse(L: Tensor, upper: bool = False, *, out: Optional[Tensor] = None) -> Tensor:
        """torch.cholesky_inverse on torch 1.0: torch.potri (whose ``upper`` defaulted to True) with the new
        default ``upper=False``, looping over batch dims. Renamed in https://github.com/pytorch/pytorch/pull/19498.
        Remove when torch >= 1.1."""
        if L.dim() < 2 or L.shape[-1] != L.shape[-2]:
            raise RuntimeError("cholesky_inverse: expected square matrices, got shape %s" % (tuple(L.shape),))
        if L.dim() == 2:
            return _finish(potri(L, upper), out)
        flat = L.reshape(-1, L.shape[-2], L.shape[-1])
        result = torch.stack([potri(m, upper) for m in flat]).reshape(L.shape)
        return _finish(result, out)

    return backport(cholesky_inverse)
