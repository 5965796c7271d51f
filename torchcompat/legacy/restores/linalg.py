"""LAPACK-era linear algebra restores: ``torch.gesv, gels, potrf, potrs, potri, trtrs, btrifact,
btrifact_with_info, btrisolve, btriunpack, symeig, eig, solve, lstsq, matrix_rank, chain_matmul`` with
their old argument order and returns, built on whatever this torch offers (``torch.linalg`` on 1.9+,
``torch.lu``/``cholesky_solve``/``triangular_solve`` on 1.1–1.8).

Each is ADDed only where torch lacks the name, or has a stub that only raises "... is now removed".
"""

from __future__ import annotations

import collections
from typing import Any, Callable, Dict, Optional, Tuple

from torchcompat.legacy.engine import note
from torchcompat.legacy.face import ADD, FROM_RECORD, Restore, attach
from torchcompat.probe import MISSING
from torchcompat.registry import Binding
from torchcompat.shifts.linalg import (
    LA_CHAIN_MATMUL,
    LA_EIG,
    LA_LAPACK_NAMES,
    LA_LSTSQ,
    LA_MATRIX_RANK,
    LA_SOLVE,
    LA_SYMEIG,
)

__all__ = ["build"]

SolveResult = collections.namedtuple("solve", ["solution", "LU"])
LstsqResult = collections.namedtuple("lstsq", ["solution", "QR"])
SymeigResult = collections.namedtuple("symeig", ["eigenvalues", "eigenvectors"])
EigResult = collections.namedtuple("eig", ["eigenvalues", "eigenvectors"])
TriangularResult = collections.namedtuple("triangular_solve", ["solution", "cloned_coefficient"])


class _Ops:
    """The building blocks on one torch, picked once."""

    def __init__(self, env: Any) -> None:
        self.torch = t = env.torch
        self.era = "0.4"
        self.linalg = env.get("linalg")
        # the torch.linalg adapters of the registry: native on 1.9+/1.11+, backports over torch.lu/
        # triangular_solve/symeig before (they also take the 2-D input that 1.1-1.2's torch.lu_solve refuses)
        la = Binding(t)
        self.lu_factor: Callable[..., Tuple[Any, Any]] = lambda A, pivot=True: tuple(
            la.resolve("linalg.lu_factor")(A, pivot=pivot)
        )
        self.lu_solve = lambda LU, piv, B: la.resolve("linalg.lu_solve")(LU, piv, B)
        self.solve_triangular = lambda A, B, upper, unit: la.resolve("linalg.solve_triangular")(
            A, B, upper=upper, unitriangular=unit
        )
        self.cholesky_lower = lambda A: la.resolve("linalg.cholesky")(A)
        self.eigh = lambda A, upper: tuple(la.resolve("linalg.eigh")(A, UPLO="U" if upper else "L"))
        self.svdvals = lambda A: la.resolve("linalg.svdvals")(A)
        self.multi_dot = lambda ms: la.resolve("linalg.multi_dot")(ms)

    def qr_packed_solve(self, B: Any, A: Any) -> Tuple[Any, Any]:
        """LAPACK ``gels``: least squares (m >= n, via geqrf/ormqr/trtrs) or minimum norm (m < n)."""
        t = self.torch
        m, n = A.shape[-2], A.shape[-1]
        squeeze = B.dim() == 1
        if squeeze:
            B = B.unsqueeze(-1)
        if m >= n:
            a, tau = t.geqrf(A)
            qtb = t.ormqr(a, tau, B, left=True, transpose=True)
            top = self.solve_triangular(a[:n, :n].triu(), qtb[:n], True, False)
            X = t.cat([top, qtb[n:]], 0)
            packed = a
        else:
            a, tau = t.geqrf(A.t())
            y = self.solve_triangular(a[:m, :m].triu().t(), B, False, False)
            padded = t.cat([y, y.new_zeros(n - m, y.shape[1])], 0)
            X = t.ormqr(a, tau, padded, left=True, transpose=False)
            packed = a.t()
        return (X.squeeze(-1) if squeeze else X), packed


_OPS: Dict[int, _Ops] = {}


def _ops(env: Any) -> _Ops:
    found = _OPS.get(id(env.torch))
    if found is None:
        found = _OPS[id(env.torch)] = _Ops(env)
    return found


def _use(name: str, new: str) -> None:
    note(name, "torch.%s is restored with its old signature; write %s" % (name, new), 2)


def _gesv(ops: _Ops) -> Any:
    def gesv(B: Any, A: Any, out: Any = None) -> Any:
        """``X, LU = torch.gesv(B, A)``: solve A X = B; LU is the packed LU factorization of A."""
        _use("gesv", "torch.linalg.solve(A, B)")
        LU, piv = ops.lu_factor(A)
        return SolveResult(ops.lu_solve(LU, piv, B), LU)

    return gesv


def _solve(ops: _Ops) -> Any:
    def solve(input: Any, A: Any, out: Any = None) -> Any:
        """``X, LU = torch.solve(B, A)`` (1.1–1.8): solve A X = B, with A's packed LU factorization."""
        _use("solve", "torch.linalg.solve(A, B)")
        LU, piv = ops.lu_factor(A)
        return SolveResult(ops.lu_solve(LU, piv, input), LU)

    return solve


def _gels(ops: _Ops, name: str) -> Any:
    def gels(B: Any, A: Any, out: Any = None) -> Any:
        """``X, QR = torch.gels(B, A)`` / ``torch.lstsq(B, A)``: least squares for m >= n (the first n
        rows of X are the solution, the rest hold the residual components), minimum norm for m < n."""
        _use(name, "torch.linalg.lstsq(A, B).solution")
        X, packed = ops.qr_packed_solve(B, A)
        return LstsqResult(X, packed)

    gels.__name__ = name
    return gels


def _potrf(ops: _Ops) -> Any:
    def potrf(a: Any, upper: bool = True, out: Any = None) -> Any:
        """``torch.potrf(A, upper=True)``: the Cholesky factor, upper by default (U^T U = A)."""
        _use("potrf", "torch.linalg.cholesky(A) (lower; .mT for upper)")
        L = ops.cholesky_lower(a)
        return L.transpose(-2, -1).contiguous() if upper else L

    return potrf


def _potrs(ops: _Ops) -> Any:
    def potrs(b: Any, u: Any, upper: bool = True, out: Any = None) -> Any:
        """``torch.potrs(B, U, upper=True)``: solve A X = B given A's Cholesky factor."""
        _use("potrs", "torch.cholesky_solve(B, U, upper=True)")
        return ops.torch.cholesky_solve(b, u, upper=upper)

    return potrs


def _potri(ops: _Ops) -> Any:
    def potri(u: Any, upper: bool = True, out: Any = None) -> Any:
        """``torch.potri(U, upper=True)``: the inverse of A from its Cholesky factor."""
        _use("potri", "torch.cholesky_inverse(U, upper=True)")
        return ops.torch.cholesky_inverse(u, upper=upper)

    return potri


def _trtrs(ops: _Ops) -> Any:
    def trtrs(
        b: Any, A: Any, upper: bool = True, transpose: bool = False, unitriangular: bool = False, out: Any = None
    ) -> Any:
        """``X, A_clone = torch.trtrs(B, A, upper=True, transpose=False, unitriangular=False)``."""
        _use("trtrs", "torch.linalg.solve_triangular(A, B, upper=...)")
        M = A.transpose(-2, -1) if transpose else A
        X = ops.solve_triangular(M, b, upper != transpose, unitriangular)
        return TriangularResult(X, A.clone())

    return trtrs


def _btrifact(ops: _Ops) -> Any:
    def btrifact(A: Any, info: Any = None, pivot: bool = True) -> Any:
        """``LU, pivots = torch.btrifact(A)``: batched LU with int32 pivots (``info`` is zeroed)."""
        _use("btrifact", "torch.linalg.lu_factor(A)")
        LU, piv = ops.lu_factor(A, pivot=pivot)
        if info is not None:
            info.resize_(A.shape[:-2]).zero_()
        return LU, piv.int()

    return btrifact


def _btrifact_with_info(ops: _Ops) -> Any:
    def btrifact_with_info(A: Any, pivot: bool = True) -> Any:
        """``LU, pivots, info = torch.btrifact_with_info(A)``."""
        _use("btrifact_with_info", "torch.linalg.lu_factor_ex(A)")
        LU, piv = ops.lu_factor(A, pivot=pivot)
        return LU, piv.int(), ops.torch.zeros(A.shape[:-2], dtype=ops.torch.int32)

    return btrifact_with_info


def _btrisolve(ops: _Ops) -> Any:
    def btrisolve(b: Any, LU_data: Any, LU_pivots: Any) -> Any:
        """``torch.btrisolve(b, LU, pivots)``: solve with a batched LU; ``b`` may be (batch, n)."""
        _use("btrisolve", "torch.linalg.lu_solve(LU, pivots, B)")
        vector = b.dim() == LU_data.dim() - 1
        B = b.unsqueeze(-1) if vector else b
        X = ops.lu_solve(LU_data, LU_pivots, B)
        return X.squeeze(-1) if vector else X

    return btrisolve


def _btriunpack(ops: _Ops) -> Any:
    def btriunpack(LU_data: Any, LU_pivots: Any, unpack_data: bool = True, unpack_pivots: bool = True) -> Any:
        """``P, L, U = torch.btriunpack(LU, pivots)``."""
        _use("btriunpack", "torch.lu_unpack(LU, pivots)")
        return ops.torch.lu_unpack(LU_data, LU_pivots, unpack_data, unpack_pivots)

    return btriunpack


def _symeig(ops: _Ops) -> Any:
    zeros = ops.era in ("0.3", "0.4", "1.0")

    def symeig(input: Any, eigenvectors: bool = False, upper: bool = True, out: Any = None) -> Any:
        """``e, V = torch.symeig(A, eigenvectors=False, upper=True)``: ascending eigenvalues; without
        ``eigenvectors`` V is zeros of A's shape (era <= 1.0, as 1.0.1 returns) or empty (1.1+)."""
        _use("symeig", "torch.linalg.eigh(A, UPLO='U')")
        e, V = ops.eigh(input, upper)
        if not eigenvectors:
            V = input.new_zeros(input.shape) if zeros else input.new_empty(0)
        return SymeigResult(e, V)

    return symeig


def _eig(ops: _Ops) -> Any:
    def eig(input: Any, eigenvectors: bool = False, out: Any = None) -> Any:
        """``e, V = torch.eig(A, eigenvectors=False)``: e is (n, 2) (real, imaginary); for a complex
        pair (j, j+1), V's columns j and j+1 hold the real and imaginary parts of v_j (LAPACK geev)."""
        _use("eig", "torch.linalg.eig(A) (complex)")
        t = ops.torch
        if ops.linalg is not MISSING and hasattr(ops.linalg, "eig"):
            w, v = ops.linalg.eig(input) if eigenvectors else (ops.linalg.eigvals(input), None)
        else:  # torch < 1.9 has no linalg.eig but still its own torch.eig (never restored there)
            return EigResult(*t.eig(input, eigenvectors=eigenvectors))
        e = t.stack([w.real, w.imag], -1).to(input.dtype)
        if not eigenvectors:
            return EigResult(e, input.new_empty(0))
        V = v.real.to(input.dtype).clone()
        imag = w.imag
        j, n = 0, input.shape[-1]
        while j < n:
            if float(imag[j]) != 0.0 and j + 1 < n:
                col = v[:, j] if float(imag[j]) > 0 else v[:, j + 1]
                V[:, j] = col.real.to(input.dtype)
                V[:, j + 1] = col.imag.to(input.dtype)
                j += 2
            else:
                j += 1
        return EigResult(e, V)

    return eig


def _matrix_rank(ops: _Ops) -> Any:
    def matrix_rank(input: Any, tol: Optional[float] = None, symmetric: bool = False) -> Any:
        """``torch.matrix_rank(A, tol=None, symmetric=False)``: singular values above ``tol`` (default
        ``S.max() * max(m, n) * eps``)."""
        _use("matrix_rank", "torch.linalg.matrix_rank(A, hermitian=symmetric)")
        t = ops.torch
        if symmetric:
            S = ops.eigh(input, False)[0].abs()
        else:
            S = ops.svdvals(input)
        if tol is None:
            if S.numel() == 0:
                return t.tensor(0)
            tol = float(S.max()) * max(input.shape[-2:]) * t.finfo(input.dtype).eps
        return (S > tol).sum()

    return matrix_rank


def _chain_matmul(ops: _Ops) -> Any:
    def chain_matmul(*matrices: Any) -> Any:
        """``torch.chain_matmul(a, b, c)``: the matrix product of all arguments."""
        _use("chain_matmul", "torch.linalg.multi_dot([a, b, c])")
        if ops.multi_dot is not None and len(matrices) > 1:
            return ops.multi_dot(list(matrices))
        out = matrices[0]
        for m in matrices[1:]:
            out = out.mm(m)
        return out

    return chain_matmul


def build(name: str, builder: Callable[[_Ops], Any]) -> Callable[[Any, str, Any], Any]:
    def factory(env: Any, era: str, original: Any) -> Any:
        ops = _ops(env)
        ops.era = era
        fn = builder(ops)
        fn.__module__ = "torch"
        fn.__name__ = fn.__qualname__ = name
        return fn

    return factory


_RESTORES = (
    (LA_LAPACK_NAMES, "gesv", _gesv),
    (LA_LAPACK_NAMES, "gels", lambda ops: _gels(ops, "gels")),
    (LA_LAPACK_NAMES, "potrf", _potrf),
    (LA_LAPACK_NAMES, "potrs", _potrs),
    (LA_LAPACK_NAMES, "potri", _potri),
    (LA_LAPACK_NAMES, "trtrs", _trtrs),
    (LA_LAPACK_NAMES, "btrifact", _btrifact),
    (LA_LAPACK_NAMES, "btrifact_with_info", _btrifact_with_info),
    (LA_LAPACK_NAMES, "btrisolve", _btrisolve),
    (LA_LAPACK_NAMES, "btriunpack", _btriunpack),
    (LA_SOLVE, "solve", _solve),
    (LA_SYMEIG, "symeig", _symeig),
    (LA_EIG, "eig", _eig),
    (LA_LSTSQ, "lstsq", lambda ops: _gels(ops, "lstsq")),
    (LA_MATRIX_RANK, "matrix_rank", _matrix_rank),
    (LA_CHAIN_MATMUL, "chain_matmul", _chain_matmul),
)

#: The migration rule that rewrites each old LAPACK name (la-lapack-names has one rule per name; btriunpack none).
_RULES = {
    "gesv": "TC402",
    "gels": "TC401",
    "potrf": "TC403",
    "potrs": "TC404",
    "potri": "TC405",
    "trtrs": "TC406",
    "btrifact": "TC407",
    "btrifact_with_info": "TC407",
    "btrisolve": "TC408",
    "btriunpack": None,
}

# The LAPACK names (removed in 1.2) stay restored in every era (``until=None``), as they always were.
for _record, _name, _builder in _RESTORES:
    attach(
        _record,
        Restore(
            _name,
            build(_name, _builder),
            ADD,
            name=_name,
            summary="torch.%s with its old signature and return" % _name,
            until=None if _record is LA_LAPACK_NAMES else FROM_RECORD,
            rule=_RULES[_name] if _record is LA_LAPACK_NAMES else "",
        ),
    )
