"""Linear algebra shifts: the LAPACK-era names and torch.linalg.

Records generated from the shift catalogue; adapters, probes and notes are added beside them.

``tc.linalg.<name>`` for solve, eigh, eigvalsh, eig, eigvals, qr, cholesky, lstsq, matrix_rank, multi_dot, norm,
vector_norm, matrix_norm, det, slogdet, inv, pinv, svd, svdvals, lu_factor, lu_solve and solve_triangular is
torch.linalg's function where the running torch has it (with the later keywords: a thin wrapper on the first
releases that lacked ``left``/``upper``/``atol``/``Vh``), else a backport from the old functions with torch.linalg's
argument order, named-tuple fields and batching. ``eig``/``eigvals`` need complex tensors (torch >= 1.6)."""

from __future__ import annotations

import collections
import itertools
from typing import Any, Callable, List, Optional, Sequence, Tuple, Union

from torchcompat.probe import MISSING
from torchcompat.registry import Resolution, backport, declare, native, unavailable

shift = declare("linalg")

LA_SOLVE = shift(
    "la-solve",
    "X, LU = torch.solve(B, A) → torch.linalg.solve(A, B)",
    old="`X, LU = torch.solve(B, A)`; `.solution`",
    new="`torch.linalg.solve(A, B)` (arguments reversed; no LU, use `linalg.lu_factor`)",
    added="1.8",
    deprecated="1.9",
    removed="1.13",
    link="https://github.com/pytorch/pytorch/pull/57741",
    strategy="legacy-restore",
    verified=False,
    notes="added: 1.8; deprecated: 1.9 (PR #57741); removed: 1.13 ? (PR #70986); stub in 2.x. Silent change: YES risk: swapped args give wrong answers when the shapes happen to fit (pytorch#105452). How common: M (6)",
)

LA_SYMEIG = shift(
    "la-symeig",
    "e, V = torch.symeig(A, eigenvectors=True, upper=True) → torch.linalg.eigh(A, UPLO='U')",
    old="`e, V = torch.symeig(A, eigenvectors=True, upper=True)`",
    new="`torch.linalg.eigh(A, UPLO='U')` / `eigvalsh`",
    added="1.8",
    deprecated="1.9",
    removed="2.0",
    link="https://github.com/pytorch/pytorch/pull/57732",
    strategy="legacy-restore",
    notes="added: 1.8; deprecated: 1.9 (PR #57732); removed: 2.0 (PR #70988); stub. Silent change: YES: default triangle upper → lower; `eigenvectors=False` returned an empty V. How common: M (3)",
)

LA_EIG = shift(
    "la-eig",
    "torch.eig(A, eigenvectors=True) → torch.linalg.eig(A)",
    old="`torch.eig(A, eigenvectors=True)` (real (n,2) eigenvalue layout)",
    new="`torch.linalg.eig(A)` / `eigvals` (complex)",
    added="1.9",
    deprecated="1.9",
    removed="1.13",
    link="https://github.com/pytorch/pytorch/pull/57727",
    strategy="legacy-restore",
    verified=False,
    notes="added: 1.9; deprecated: 1.9 (PR #57727); removed: 1.13 ? (PR #70982); stub. Silent change: output becomes complex. How common: M (5; issues kit1980 filed in FB repos)",
)

LA_LSTSQ = shift(
    "la-lstsq",
    "X, QR = torch.lstsq(B, A) → torch.linalg.lstsq(A, B).solution",
    old="`X, QR = torch.lstsq(B, A)`",
    new="`torch.linalg.lstsq(A, B).solution`",
    added="1.9",
    deprecated="1.9",
    removed="1.13",
    link="https://github.com/pytorch/pytorch/pull/57743",
    strategy="legacy-restore",
    verified=False,
    notes="added: 1.9; deprecated: 1.9 (PR #57743); removed: 1.13 ? (PR #70980); stub. Silent change: arguments reversed; the old result was padded to (max(m,n), k). How common: ns (L)",
)

LA_MATRIX_RANK = shift(
    "la-matrix-rank",
    "torch.matrix_rank(A, symmetric=True) → torch.linalg.matrix_rank(A, hermitian=True)",
    old="`torch.matrix_rank(A, symmetric=True)`",
    new="`torch.linalg.matrix_rank(A, hermitian=True)`",
    added="1.8",
    deprecated="1.9",
    removed="1.13",
    link="https://github.com/pytorch/pytorch/pull/57734",
    strategy="legacy-restore",
    verified=False,
    notes="added: 1.8; deprecated: 1.9 (PR #57734); removed: 1.13 ? (PR #70981); stub. How common: ns (L)",
)

LA_QR = shift(
    "la-qr",
    "Q, R = torch.qr(A, some=False) → torch.linalg.qr(A, mode='complete')",
    old="`Q, R = torch.qr(A, some=False)`",
    new="`torch.linalg.qr(A, mode='complete')` (`some=True` → `'reduced'`)",
    added="1.8",
    deprecated="1.9",
    link="https://github.com/pytorch/pytorch/pull/57745",
    strategy="alias",
    notes="added: 1.8; deprecated: 1.9 (PR #57745); removed: still present (deprecated) as of 2.x. How common: ns (M)",
)

LA_CHOLESKY = shift(
    "la-cholesky",
    "torch.cholesky(A, upper=True) → torch.linalg.cholesky(A).mH",
    old="`torch.cholesky(A, upper=True)`",
    new="`torch.linalg.cholesky(A).mH`",
    added="1.8",
    deprecated="1.9",
    link="https://github.com/pytorch/pytorch/pull/57725",
    strategy="alias",
    notes="added: 1.8; deprecated: 1.9 (PR #57725); removed: still present. Silent change: the upper flag maps to `.mH` (needs 1.11, see t-mT-mH). How common: ns (M)",
)

LA_CHAIN_MATMUL = shift(
    "la-chain-matmul",
    "torch.chain_matmul(a, b, c) → torch.linalg.multi_dot([a, b, c])",
    old="`torch.chain_matmul(a, b, c)`",
    new="`torch.linalg.multi_dot([a, b, c])`",
    added="1.9",
    deprecated="1.9",
    link="https://github.com/pytorch/pytorch/pull/57735",
    strategy="alias",
    notes="added: 1.9; deprecated: 1.9 (PR #57735); removed: still present. How common: ns (L)",
)

LA_GER = shift(
    "la-ger",
    "torch.ger(a, b) → torch.outer(a, b)",
    old="`torch.ger(a, b)`",
    new="`torch.outer(a, b)`",
    added="1.8",
    strategy="alias",
    notes='added: 1.8; deprecated: deprecated (TorchFix: PR "TBA"); removed: still present. How common: ns (M)',
)

LA_NORM = shift(
    "la-norm",
    "torch.norm(x, p, dim) → torch.linalg.vector_norm / matrix_norm",
    old="`torch.norm(x, p, dim)`",
    new="`torch.linalg.vector_norm` / `matrix_norm` / `linalg.norm`",
    added="1.7",
    deprecated="1.9",
    link="https://github.com/pytorch/pytorch/pull/57986",
    strategy="codemod",
    verified=False,
    notes="added: 1.7 (`linalg.norm`), 1.9 (`vector_norm`) ?; deprecated: 1.9 ? (PR #57986, docs); removed: still present. Silent change: YES if mapped blindly: `p='fro'`/`p=2` mean different things for matrices vs vectors; `dim=None` flattens. How common: ns (H; the most frequent TOR101 hit in torchaudio and pyro runs)",
)

LA_SVD = shift(
    "la-svd",
    "U, S, V = torch.svd(A, some=True) → U, S, Vh = torch.linalg.svd(A, full_matrices=False)",
    old="`U, S, V = torch.svd(A, some=True)`",
    new="`U, S, Vh = torch.linalg.svd(A, full_matrices=False)`; `V = Vh.mH`",
    added="1.8",
    strategy="codemod",
    notes='added: 1.8; deprecated: deprecated in docs ("TBA"); removed: still present. Silent change: YES: returns Vh not V; `some` ↔ `full_matrices` inverted. How common: ns (M)',
)

LA_LU = shift(
    "la-lu",
    "LU, piv = torch.lu(A) → torch.linalg.lu_factor(A)",
    old="`LU, piv = torch.lu(A)`",
    new="`torch.linalg.lu_factor(A)`",
    added="1.13",
    deprecated="1.13",
    link="https://github.com/pytorch/pytorch/pull/73804",
    strategy="alias",
    notes="added: 1.13; deprecated: 1.13 (PR #73804); removed: still present. How common: ns (L)",
)

LA_LU_SOLVE = shift(
    "la-lu-solve",
    "torch.lu_solve(B, LU, piv) → torch.linalg.lu_solve(LU, piv, B)",
    old="`torch.lu_solve(B, LU, piv)`",
    new="`torch.linalg.lu_solve(LU, piv, B)`",
    added="1.13",
    deprecated="1.13",
    link="https://github.com/pytorch/pytorch/pull/73806",
    strategy="alias",
    notes="added: 1.13; deprecated: 1.13 (PR #73806); removed: still present. Silent change: arguments reordered. How common: ns (L)",
)

LA_TRIANGULAR_SOLVE = shift(
    "la-triangular-solve",
    "torch.triangular_solve(B, A, upper=True) → torch.linalg.solve_triangular(A, B, upper=True)",
    old="`torch.triangular_solve(B, A, upper=True)`",
    new="`torch.linalg.solve_triangular(A, B, upper=True)`",
    added="1.11",
    strategy="alias",
    notes='added: 1.11; deprecated: deprecated ("TBA"); removed: still present. Silent change: arguments reversed; returns only X. How common: ns (L)',
)

LA_RANGE = shift(
    "la-range",
    "torch.range(a, b) → torch.arange(a, b + step, step)",
    old="`torch.range(a, b)` (end inclusive, float)",
    new="`torch.arange(a, b + step, step)`",
    strategy="codemod",
    verified=False,
    notes="added: —; deprecated: long-standing UserWarning ?; removed: still present as of 2.x. Silent change: YES if rewritten naively: off-by-one; dtype float vs int64. How common: ns (M)",
)

LA_LAPACK_NAMES = shift(
    "la-lapack-names",
    "torch.gesv/gels/potrf/potrs/potri/trtrs/btrifact/btrisolve → torch.linalg.*",
    old="`torch.gesv(B, A)`, `torch.potrf(A, upper)`, `torch.potrs`, `torch.potri`, `torch.trtrs`, `torch.btrifact`, `torch.btrisolve`, `torch.gels(B, A)`",
    new="`torch.linalg.solve`, `torch.linalg.cholesky`, `torch.cholesky_solve`, `torch.cholesky_inverse`, `torch.linalg.solve_triangular`, `torch.linalg.lu_factor`, `torch.linalg.lu_solve`, `torch.linalg.lstsq`",
    added="1.0",
    deprecated="1.0",
    removed="1.2",
    strategy="legacy-restore",
    verified=False,
    notes="added: 1.0–1.9; deprecated: 1.0–1.2 ?; removed: 1.2–1.3 ? (AttributeError). Silent change: argument order (B, A) and return tuples differ. How common: M",
)

LA_DET = shift(
    "la-det",
    "torch.det(A) -> torch.linalg.det(A) (batched)",
    old="`torch.det(A)` (2-D only on 1.0)",
    new="`torch.linalg.det(A)`",
    added="1.7",
    link="https://github.com/pytorch/pytorch/issues/42666",
    strategy="alias",
    probe="linalg.det",
    notes="added: 1.7; torch.det stays. torch 1.0 computes det of 2-D inputs only: the backport loops over the batch.",
)

LA_SLOGDET = shift(
    "la-slogdet",
    "sign, logabsdet = torch.slogdet(A) -> torch.linalg.slogdet(A) (named tuple sign, logabsdet; batched)",
    old="`torch.slogdet(A)` (2-D only on 1.0)",
    new="`torch.linalg.slogdet(A)` (`sign`, `logabsdet`)",
    added="1.8",
    link="https://github.com/pytorch/pytorch/issues/42666",
    strategy="alias",
    probe="linalg.slogdet",
    notes="added: 1.8; torch.slogdet stays. torch 1.0 computes slogdet of 2-D inputs only: the backport loops.",
)

LA_INVERSE = shift(
    "la-inverse",
    "torch.inverse(A) -> torch.linalg.inv(A)",
    old="`torch.inverse(A)`",
    new="`torch.linalg.inv(A)`",
    added="1.8",
    link="https://github.com/pytorch/pytorch/issues/42666",
    strategy="alias",
    probe="linalg.inv",
    notes="added: 1.8; torch.inverse stays as an alias.",
)

LA_PINVERSE = shift(
    "la-pinverse",
    "torch.pinverse(A, rcond=1e-15) -> torch.linalg.pinv(A, rtol=..., atol=..., hermitian=False)",
    old="`torch.pinverse(A, rcond=1e-15)` (2-D only on 1.0)",
    new="`torch.linalg.pinv(A, *, atol=None, rtol=None, hermitian=False)`",
    added="1.8",
    changed="1.11",
    link="https://github.com/pytorch/pytorch/issues/42666",
    strategy="alias",
    probe="linalg.pinv",
    notes="added: 1.8 (`rcond`); 1.11: `atol`/`rtol` keywords, default tolerance max(m, n)*eps relative instead of "
    "pinverse's 1e-15. Silent change: the default cutoff differs between torch.pinverse and linalg.pinv.",
)

# ---------------------------------------------------------------------------------------------------------------
# Adapters. Native torch.linalg where present; else backports built from the old functions of the running torch
# (gesv/solve, symeig, eig, qr/geqrf/ormqr, cholesky, gels/lstsq, svd, btrifact/lu, btrisolve/lu_solve,
# trtrs/triangular_solve, det, slogdet, inverse), looping over batch dims where the old function is 2-D only
# (decided by a cached tiny-tensor probe, not by version).
# ---------------------------------------------------------------------------------------------------------------

LA_SOLVE.probe = "linalg.solve"
LA_SYMEIG.probe = "linalg.eigh"
LA_EIG.probe = "linalg.eig"
LA_EIG.notes += (
    " torchcompat: `tc.linalg.eig`/`eigvals` are backported from torch.eig where complex tensors exist"
    " (torch.view_as_complex, 1.6+), and unavailable (needs 1.6) below: without complex dtypes the result type"
    " cannot be honoured, even for matrices whose eigenvalues happen to be real."
)
LA_LSTSQ.probe = "linalg.lstsq"
LA_LSTSQ.notes += (
    " torchcompat backport: driver 'gels' uses the old QR solver (full rank assumed, like LAPACK gels);"
    " 'gelsy'/'gelsd'/'gelss' use an SVD with the rcond cutoff (the minimum-norm solution, which is what those"
    " drivers compute); ranks equal LAPACK's except for singular values within rounding of the cutoff."
)
LA_MATRIX_RANK.probe = "linalg.matrix_rank"
LA_QR.probe = "linalg.qr"
LA_CHOLESKY.probe = "linalg.cholesky"
LA_CHAIN_MATMUL.probe = "linalg.multi_dot"
LA_NORM.probe = "linalg.vector_norm"
LA_SVD.probe = "linalg.svd"
LA_SVD.link = "https://github.com/pytorch/pytorch/issues/42666"
LA_SVD.notes += (
    " torch 1.8's linalg.svd named its third field `V` although it held V^H (renamed `Vh` in 1.9, PR #57181):"
    " `tc.linalg.svd` returns the `(U, S, Vh)` fields there too."
)
LA_SYMEIG.notes += (
    " torch 1.8's linalg.eigvalsh returns a result that silently drops autograd: `tc.linalg.eigvalsh` goes through"
    " linalg.eigh there when the input requires grad."
)
LA_LU.probe = "linalg.lu_factor"
LA_LU_SOLVE.probe = "linalg.lu_solve"
LA_TRIANGULAR_SOLVE.probe = "linalg.solve_triangular"
LA_TRIANGULAR_SOLVE.link = "https://github.com/pytorch/pytorch/issues/42666"

Tensor = Any  # a torch.Tensor (shift modules never import torch at module level)

EighResult = collections.namedtuple("linalg_eigh", ["eigenvalues", "eigenvectors"])
EigResult = collections.namedtuple("linalg_eig", ["eigenvalues", "eigenvectors"])
QRResult = collections.namedtuple("linalg_qr", ["Q", "R"])
SlogdetResult = collections.namedtuple("linalg_slogdet", ["sign", "logabsdet"])
SVDResult = collections.namedtuple("linalg_svd", ["U", "S", "Vh"])
LstsqResult = collections.namedtuple("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])
LUFactorResult = collections.namedtuple("linalg_lu_factor", ["LU", "pivots"])

_EPS = {
    "float16": 0.0009765625,
    "bfloat16": 0.0078125,
    "float32": 1.1920928955078125e-07,
    "float64": 2.220446049250313e-16,
}


# -- helpers ----------------------------------------------------------------------------------------------------


def _broadcast_shape(*shapes: Sequence[int]) -> Tuple[int, ...]:
    """Broadcast batch shapes (torch.broadcast_shapes is 1.8+)."""
    out: List[int] = []
    for sizes in itertools.zip_longest(*[tuple(reversed(tuple(s))) for s in shapes], fillvalue=1):
        size = 1
        for s in sizes:
            if s != 1:
                if size != 1 and s != size:
                    raise RuntimeError("shapes %s cannot be broadcast together" % (list(map(tuple, shapes)),))
                size = s
        out.append(size)
    return tuple(reversed(out))


def _expand_batch(x: Tensor, batch: Tuple[int, ...], core: int) -> Tensor:
    shape = batch + tuple(x.shape[x.dim() - core :])
    return x if tuple(x.shape) == shape else x.expand(*shape)


def _mT(x: Tensor) -> Tensor:
    return x.transpose(-2, -1)


def _mH(x: Tensor) -> Tensor:
    x = x.transpose(-2, -1)
    return x.conj() if x.is_complex() else x


def _eps(torch: Any, dtype: Any) -> float:
    try:
        return float(torch.finfo(dtype).eps)
    except Exception:
        return _EPS.get(str(dtype).replace("torch.", ""), 2.220446049250313e-16)


def _real_dtype(torch: Any, dtype: Any) -> Any:
    return {getattr(torch, "complex64", None): torch.float32, getattr(torch, "complex128", None): torch.float64}.get(
        dtype, dtype
    )


def _stack_batch(torch: Any, items: List[Tensor], batch: Tuple[int, ...]) -> Tensor:
    stacked = torch.stack(items)
    return stacked.reshape(batch + tuple(stacked.shape[1:]))


def _per_matrix(torch: Any, fn: Callable[..., Any], args: Sequence[Tensor], cores: Sequence[int]) -> Any:
    """Apply ``fn`` to each matrix of the (already broadcast) batch: ``args[i]`` has ``cores[i]`` core dims."""
    first = args[0]
    batch = tuple(first.shape[: first.dim() - cores[0]])
    if not batch:
        return fn(*args)
    count = 1
    for b in batch:
        count *= b
    flat = [a.reshape((count,) + tuple(a.shape[a.dim() - c :])) for a, c in zip(args, cores)]
    if count == 0:
        raise RuntimeError(
            "torchcompat: empty batches are not supported by this backport (torch %s)" % torch.__version__
        )
    results = [fn(*[f[i] for f in flat]) for i in range(count)]
    if isinstance(results[0], tuple):
        return tuple(_stack_batch(torch, [r[j] for r in results], batch) for j in range(len(results[0])))
    return _stack_batch(torch, results, batch)


def _probe_matrices(torch: Any) -> Tuple[Tensor, Tensor]:
    a = torch.tensor([[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]], dtype=torch.float64)
    spd = torch.stack([a, a + torch.diag(torch.tensor([0.5, 1.0, 1.5], dtype=torch.float64))])
    rhs = torch.tensor([[1.0, 2.0], [0.0, -1.0], [3.0, 0.5]], dtype=torch.float64)
    return spd, torch.stack([rhs, rhs * 2 - 1])


def _batches(env: Any, key: str, call: Callable[..., Any], pick: Callable[[Tensor, Tensor], Sequence[Tensor]]) -> bool:
    """Does the old function ``call`` handle a batch of matrices (same result as matrix by matrix)?"""

    def check(torch: Any) -> bool:
        args = pick(*_probe_matrices(torch))
        whole = call(*args)
        parts = [call(*[a[i] for a in args]) for i in range(2)]
        whole = whole if isinstance(whole, tuple) else (whole,)
        for i, part in enumerate(parts):
            part = part if isinstance(part, tuple) else (part,)
            for w, p in zip(whole, part):
                if tuple(w[i].shape) != tuple(p.shape) or not bool(torch.allclose(w[i].double(), p.double())):
                    return False
        return True

    return bool(env.behaves("linalg-batched:" + key, check))


def _batched_call(env: Any, key: str, call: Callable[..., Any], pick: Callable[[Tensor, Tensor], Sequence[Tensor]]):
    """``call`` itself where it batches, else a loop over the batch (every argument is a matrix)."""
    torch = env.torch
    if _batches(env, key, call, pick):
        return call

    def looped(*args: Tensor) -> Any:
        if args[0].dim() <= 2:
            return call(*args)
        return _per_matrix(torch, call, args, [2] * len(args))

    return looped


def _finish(result: Any, out: Any) -> Any:
    if out is None:
        return result
    if isinstance(result, tuple):
        for o, r in zip(out, result):
            o.resize_(r.shape).copy_(r)
        return type(result)(*out) if hasattr(result, "_fields") else tuple(out)
    out.resize_(result.shape).copy_(result)
    return out


def _old(env: Any, *names: str) -> Any:
    """The first old top-level function present (``_old(env, "solve", "gesv")``), or MISSING."""
    for name in names:
        fn = env.get(name)
        if fn is not MISSING:
            return fn
    return MISSING


def _check_square(name: str, A: Tensor) -> None:
    if A.dim() < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError("linalg.%s: A must be batches of square matrices, but they are %s" % (name, tuple(A.shape)))


def _vector_rhs(A: Tensor, B: Tensor) -> bool:
    return B.dim() == 1 or (B.dim() == A.dim() - 1 and tuple(B.shape) == tuple(A.shape[:-1]))


def _missing_kw(env: Any, path: str, *keywords: str) -> bool:
    return any(not env.accepts(path, kw) for kw in keywords)


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


@LA_INVERSE.adapter("linalg.inv")
def _inv(env: Any) -> Resolution:
    fn = env.get("linalg.inv")
    if fn is not MISSING:
        return native(fn)
    torch = env.torch
    inverse = _batched_call(env, "inverse", torch.inverse, lambda a, b: (a,))

    def inv(A: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
        """torch.linalg.inv for torch < 1.8: torch.inverse, batched (pytorch#42666). Remove when torch >= 1.8."""
        return inverse(A) if out is None else _finish(inverse(A), out)

    return backport(inv)


@LA_DET.adapter("linalg.det")
def _det(env: Any) -> Resolution:
    fn = env.get("linalg.det")
    if fn is not MISSING:
        return native(fn)
    torch = env.torch
    old_det = _batched_call(env, "det", torch.det, lambda a, b: (a,))

    def det(A: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
        """torch.linalg.det for torch < 1.7: torch.det, looping over the batch where it is 2-D only (1.0).
        pytorch#42666. Remove when torch >= 1.7."""
        return old_det(A) if out is None else _finish(old_det(A), out)

    return backport(det)


@LA_SLOGDET.adapter("linalg.slogdet")
def _slogdet(env: Any) -> Resolution:
    fn = env.get("linalg.slogdet")
    if fn is not MISSING:
        return native(fn)
    torch = env.torch
    old_slogdet = _batched_call(env, "slogdet", torch.slogdet, lambda a, b: (a,))

    def slogdet(A: Tensor, *, out: Optional[Tuple[Tensor, Tensor]] = None) -> Any:
        """torch.linalg.slogdet for torch < 1.8: torch.slogdet as a (sign, logabsdet) named tuple, batched.
        pytorch#42666. Remove when torch >= 1.8."""
        sign, logabsdet = old_slogdet(A)
        return _finish(SlogdetResult(sign, logabsdet), out)

    return backport(slogdet)


# -- eigen decompositions -----------------------------------------------------------------------------------------


def _check_uplo(UPLO: str) -> None:
    if UPLO not in ("L", "U", "l", "u"):
        raise RuntimeError("Expected UPLO argument to be 'L' or 'U', but got %s" % UPLO)


@LA_SYMEIG.adapter("linalg.eigh")
def _eigh(env: Any) -> Resolution:
    fn = env.get("linalg.eigh")
    if fn is not MISSING:
        return native(fn)
    torch = env.torch
    upper = _batched_call(env, "symeig-U", lambda a: torch.symeig(a, eigenvectors=True, upper=True), lambda a, b: (a,))
    lower = _batched_call(env, "symeig-L", lambda a: torch.symeig(a, eigenvectors=True, upper=False), lambda a, b: (a,))

    def eigh(A: Tensor, UPLO: str = "L", *, out: Optional[Tuple[Tensor, Tensor]] = None) -> Any:
        """torch.linalg.eigh for torch < 1.8: torch.symeig(A, eigenvectors=True, upper=UPLO == 'U') (symeig's
        default triangle was the upper one; eigh reads the lower), as an (eigenvalues, eigenvectors) named tuple,
        batched. PR #45526, deprecation PR #57732. Remove when torch >= 1.8."""
        if UPLO == "L":
            w, V = lower(A)
        else:
            _check_uplo(UPLO)
            w, V = (upper if UPLO.upper() == "U" else lower)(A)
        return EighResult(w, V) if out is None else _finish(EighResult(w, V), out)

    return backport(eigh)


@LA_SYMEIG.adapter("linalg.eigvalsh")
def _eigvalsh(env: Any) -> Resolution:
    fn = env.get("linalg.eigvalsh")
    torch = env.torch
    if fn is not MISSING:
        grad = env.behaves(
            "linalg-eigvalsh-grad",
            lambda t: t.linalg.eigvalsh(t.eye(2, dtype=t.float64).requires_grad_()).requires_grad,
        )
        if grad:
            return native(fn)
        own, eigh = fn, env.get("linalg.eigh")

        def eigvalsh_grad(A: Tensor, UPLO: str = "L", *, out: Optional[Tensor] = None) -> Tensor:
            """torch.linalg.eigvalsh of torch 1.8, whose result silently drops autograd: through linalg.eigh when
            A requires grad. pytorch#42666. Remove when torch >= 1.9."""
            if A.requires_grad and torch.is_grad_enabled():
                return _finish(eigh(A, UPLO)[0], out)
            return own(A, UPLO) if out is None else own(A, UPLO, out=out)

        return backport(eigvalsh_grad, "keeps autograd")
    upper = _batched_call(env, "symeigvals-U", lambda a: torch.symeig(a, upper=True)[0], lambda a, b: (a,))
    lower = _batched_call(env, "symeigvals-L", lambda a: torch.symeig(a, upper=False)[0], lambda a, b: (a,))
    eigh_backport = _eigh(env).obj

    def eigvalsh(A: Tensor, UPLO: str = "L", *, out: Optional[Tensor] = None) -> Tensor:
        """torch.linalg.eigvalsh for torch < 1.8: torch.symeig(A, upper=UPLO == 'U').eigenvalues (with the
        eigenvectors when A needs a gradient: symeig cannot differentiate without them), batched.
        PR #45526, deprecation PR #57732. Remove when torch >= 1.8."""
        _check_uplo(UPLO)
        if A.requires_grad and torch.is_grad_enabled():
            return _finish(eigh_backport(A, UPLO)[0], out)
        return _finish((upper if UPLO.upper() == "U" else lower)(A), out)

    return backport(eigvalsh)


def _has_complex(env: Any) -> bool:
    def check(torch: Any) -> bool:
        z = torch.view_as_complex(torch.tensor([[1.0, 2.0]], dtype=torch.float64))
        return bool(z.is_complex()) and torch.view_as_real(z).shape == (1, 2)

    return env.has("view_as_complex") and bool(env.behaves("complex-tensors", check))


def _eig_backport(env: Any, vectors: bool) -> Callable[[Tensor], Any]:
    torch = env.torch

    def one(A: Tensor) -> Tuple[Tensor, ...]:
        w, V = torch.eig(A, eigenvectors=vectors)
        re, im = w[:, 0], w[:, 1]
        if not vectors:
            return (re, im)
        # LAPACK geev packs a conjugate pair (j, j+1) as v_j = V[:, j] + i V[:, j+1], v_j+1 = conj(v_j).
        vr, vi = V.clone(), torch.zeros_like(V)
        imag = im.tolist()
        j, n = 0, len(imag)
        while j < n:
            if imag[j] != 0.0 and j + 1 < n:
                vr[:, j + 1] = V[:, j]
                vi[:, j] = V[:, j + 1]
                vi[:, j + 1] = -V[:, j + 1]
                j += 2
            else:
                j += 1
        return (re, im, vr, vi)

    def run(A: Tensor) -> Any:
        parts = _per_matrix(torch, one, (A,), (2,))
        values = torch.view_as_complex(torch.stack([parts[0], parts[1]], -1).contiguous())
        if not vectors:
            return values
        return EigResult(values, torch.view_as_complex(torch.stack([parts[2], parts[3]], -1).contiguous()))

    return run


@LA_EIG.adapter("linalg.eig")
def _eig(env: Any) -> Resolution:
    fn = env.get("linalg.eig")
    if fn is not MISSING:
        return native(fn)
    if not env.has("eig") or not _has_complex(env):
        return unavailable("1.6", "linalg.eig returns complex tensors (torch.view_as_complex)")
    run = _eig_backport(env, True)

    def eig(A: Tensor, *, out: Optional[Tuple[Tensor, Tensor]] = None) -> Any:
        """torch.linalg.eig for torch 1.6-1.8: torch.eig's real (n, 2) eigenvalues and packed eigenvectors turned
        into complex tensors (view_as_complex), looping over the batch. pytorch#42666, deprecation PR #57727.
        Remove when torch >= 1.9."""
        _check_square("eig", A)
        return _finish(run(A), out)

    return backport(eig)


@LA_EIG.adapter("linalg.eigvals")
def _eigvals(env: Any) -> Resolution:
    fn = env.get("linalg.eigvals")
    if fn is not MISSING:
        return native(fn)
    if not env.has("eig") or not _has_complex(env):
        return unavailable("1.6", "linalg.eigvals returns complex tensors (torch.view_as_complex)")
    run = _eig_backport(env, False)

    def eigvals(A: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
        """torch.linalg.eigvals for torch 1.6-1.8: torch.eig(A) eigenvalues as a complex tensor, batched.
        pytorch#42666, deprecation PR #57727. Remove when torch >= 1.9."""
        _check_square("eigvals", A)
        return _finish(run(A), out)

    return backport(eigvals)


# -- qr, cholesky -------------------------------------------------------------------------------------------------


@LA_QR.adapter("linalg.qr")
def _qr(env: Any) -> Resolution:
    fn = env.get("linalg.qr")
    if fn is not MISSING:
        return native(fn)
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


@LA_SVD.adapter("linalg.svdvals")
def _svdvals(env: Any) -> Resolution:
    fn = env.get("linalg.svdvals")
    if fn is not MISSING:
        return native(fn)
    _, _, values = _svd_calls(env)

    def svdvals(A: Tensor, *, driver: Optional[str] = None, out: Optional[Tensor] = None) -> Tensor:
        """torch.linalg.svdvals for torch < 1.9: torch.svd(A, compute_uv=False).S (with U, V when A needs a
        gradient), batched. pytorch#42666. Remove when torch >= 1.9."""
        if A.dim() < 2:
            raise RuntimeError("linalg.svdvals: The input tensor A must have at least 2 dimensions.")
        return _finish(values(A), out)

    return backport(svdvals)


_LSTSQ_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


@LA_LSTSQ.adapter("linalg.lstsq")
def _lstsq(env: Any) -> Resolution:
    fn = env.get("linalg.lstsq")
    if fn is not MISSING:
        return native(fn)
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


# -- multi_dot, norms -----------------------------------------------------------------------------------------------


@LA_CHAIN_MATMUL.adapter("linalg.multi_dot")
def _multi_dot(env: Any) -> Resolution:
    fn = env.get("linalg.multi_dot")
    if fn is not MISSING:
        return native(fn)
    torch = env.torch

    def multi_dot(tensors: Sequence[Tensor], *, out: Optional[Tensor] = None) -> Tensor:
        """torch.linalg.multi_dot for torch < 1.9: torch.chain_matmul (which picks the cheapest order) with
        multi_dot's 1-D first/last arguments. pytorch#42666, deprecation PR #57735. Remove when torch >= 1.9."""
        mats = list(tensors)
        if len(mats) < 2:
            raise RuntimeError("multi_dot(): expected at least 2 tensors but got %d" % len(mats))
        first, last = mats[0].dim() == 1, mats[-1].dim() == 1
        if first:
            mats[0] = mats[0].unsqueeze(0)
        if last:
            mats[-1] = mats[-1].unsqueeze(-1)
        for i, m in enumerate(mats):
            if m.dim() != 2:
                raise RuntimeError(
                    "multi_dot(): tensor %d must be 2D%s but got %dD"
                    % (i, " or 1D" if i in (0, len(mats) - 1) else "", tensors[i].dim())
                )
        result = torch.mm(mats[0], mats[1]) if len(mats) == 2 else torch.chain_matmul(*mats)
        if first:
            result = result.squeeze(0)
        if last:
            result = result.squeeze(-1)
        return _finish(result, out)

    return backport(multi_dot)


def _dims(x: Tensor, dim: Union[None, int, Sequence[int]]) -> List[int]:
    nd = max(x.dim(), 1)
    if dim is None:
        return list(range(x.dim()))
    dims = [dim] if isinstance(dim, int) else list(dim)
    if not dims:
        return list(range(x.dim()))
    out = []
    for d in dims:
        d = int(d)
        if not -nd <= d < nd:
            raise IndexError(
                "Dimension out of range (expected to be in range of [%d, %d], but got %d)" % (-nd, nd - 1, d)
            )
        out.append(d % nd)
    if len(set(out)) != len(out):
        raise RuntimeError("dim %s appears multiple times in the list of dims" % (dims,))
    return out


def _reduce(x: Tensor, dims: List[int], keepdim: bool, op: Callable[[Tensor], Tensor]) -> Tensor:
    """Reduce ``x`` over ``dims`` with ``op`` (which reduces the last dim): max/min/sum over several dims on 1.0."""
    if x.dim() == 0:
        return op(x.reshape(1))
    keep = [d for d in range(x.dim()) if d not in dims]
    moved = x.permute(*(keep + sorted(dims)))
    kept_shape = tuple(int(x.shape[d]) for d in keep)
    count = 1
    for d in dims:
        count *= int(x.shape[d])
    result = op(moved.reshape(kept_shape + (count,)))
    if keepdim:
        result = result.reshape(tuple(1 if d in dims else int(x.shape[d]) for d in range(x.dim())))
    return result


def _vector_norm_backport(env: Any) -> Callable[..., Tensor]:

    def vector_norm(
        x: Tensor,
        ord: Union[int, float] = 2,
        dim: Union[None, int, Sequence[int]] = None,
        keepdim: bool = False,
        *,
        dtype: Any = None,
        out: Optional[Tensor] = None,
    ) -> Tensor:
        """torch.linalg.vector_norm for torch < 1.9: sum(|x|^ord)^(1/ord) over ``dim`` (every dim when None),
        with ord = inf / -inf / 0 as max / min / count of non-zeros. pytorch#42666, deprecation of torch.norm
        PR #57986. Remove when torch >= 1.9."""
        if ord == 2 and dim is None and not keepdim and dtype is None and out is None and x.is_floating_point():
            return x.norm()  # the common case: the 2-norm of the flattened input
        if dtype is not None:
            x = x.to(dtype)
        if not (x.is_floating_point() or x.is_complex()):
            raise RuntimeError(
                "linalg.vector_norm: Expected a floating point or complex tensor as input. Got %s"
                % str(x.dtype).replace("torch.", "")
            )
        dims = _dims(x, dim)
        a = x.abs()
        p = float(ord)
        if p == float("inf"):
            return _finish(_reduce(a, dims, keepdim, lambda t: t.max(-1)[0]), out)
        if p == float("-inf"):
            return _finish(_reduce(a, dims, keepdim, lambda t: t.min(-1)[0]), out)
        if p == 0:
            return _finish(_reduce((a != 0).to(a.dtype), dims, keepdim, lambda t: t.sum(-1)), out)
        if p == 1:
            return _finish(_reduce(a, dims, keepdim, lambda t: t.sum(-1)), out)
        if p == 2:
            return _finish(_reduce(a * a, dims, keepdim, lambda t: t.sum(-1)).sqrt(), out)
        return _finish(_reduce(a.pow(p), dims, keepdim, lambda t: t.sum(-1)).pow(1.0 / p), out)

    return vector_norm


@LA_NORM.adapter("linalg.vector_norm")
def _vector_norm(env: Any) -> Resolution:
    fn = env.get("linalg.vector_norm")
    if fn is not MISSING:
        return native(fn)
    return backport(_vector_norm_backport(env))


def _matrix_norm_backport(env: Any) -> Callable[..., Tensor]:
    _, _, values = _svd_calls(env)
    vector_norm = _vector_norm(env).obj

    def matrix_norm(
        A: Tensor,
        ord: Union[str, int, float] = "fro",
        dim: Tuple[int, int] = (-2, -1),
        keepdim: bool = False,
        *,
        dtype: Any = None,
        out: Optional[Tensor] = None,
    ) -> Tensor:
        """torch.linalg.matrix_norm for torch < 1.9: 'fro', 'nuc', inf / -inf (max / min row sum), 1 / -1
        (max / min column sum), 2 / -2 (largest / smallest singular value) over the two ``dim``.
        pytorch#42666, deprecation of torch.norm PR #57986. Remove when torch >= 1.9."""
        if dtype is not None:
            A = A.to(dtype)
        if A.dim() < 2:
            raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
        dims = _dims(A, dim)
        if len(dims) != 2:
            raise RuntimeError("linalg.matrix_norm: dim must be a 2-tuple. Got %s" % (dim,))
        d0, d1 = dims
        if ord == "fro":
            return _finish(vector_norm(A, 2, (d0, d1), keepdim), out)
        if ord in ("nuc", 2, -2, 2.0, -2.0):
            keep = [d for d in range(A.dim()) if d not in (d0, d1)]
            S = values(A.permute(*(keep + [d0, d1])))
            if ord == "nuc":
                result = S.sum(-1)
            elif float(ord) > 0:
                result = S.max(-1)[0]
            else:
                result = S.min(-1)[0]
            if keepdim:
                for d in sorted((d0, d1)):
                    result = result.unsqueeze(d)
            return _finish(result, out)
        if isinstance(ord, str) or float(ord) not in (1.0, -1.0, float("inf"), float("-inf")):
            raise RuntimeError("linalg.matrix_norm: Order %s not supported." % (ord,))
        p = float(ord)
        # inf: max over rows of the row sums (sum over the columns, d1); 1: max over columns of column sums.
        summed, reduced = (d1, d0) if abs(p) == float("inf") else (d0, d1)
        sums = A.abs().sum(summed, keepdim=True)
        result = sums.max(reduced, keepdim=True)[0] if p > 0 else sums.min(reduced, keepdim=True)[0]
        if not keepdim:
            result = result.squeeze(max(d0, d1)).squeeze(min(d0, d1))
        return _finish(result, out)

    return matrix_norm


@LA_NORM.adapter("linalg.matrix_norm")
def _matrix_norm(env: Any) -> Resolution:
    fn = env.get("linalg.matrix_norm")
    if fn is not MISSING:
        return native(fn)
    return backport(_matrix_norm_backport(env))


@LA_NORM.adapter("linalg.norm")
def _norm(env: Any) -> Resolution:
    fn = env.get("linalg.norm")
    if fn is not MISSING:
        return native(fn)
    vector_norm = _vector_norm(env).obj
    matrix_norm = _matrix_norm(env).obj

    def norm(
        A: Tensor,
        ord: Union[None, str, int, float] = None,
        dim: Union[None, int, Sequence[int]] = None,
        keepdim: bool = False,
        *,
        out: Optional[Tensor] = None,
        dtype: Any = None,
    ) -> Tensor:
        """torch.linalg.norm for torch < 1.7: a vector norm over one dim (or the flattened input when ord and dim
        are None), a matrix norm over two dims (or a 2-D input with ord given). pytorch#42666, deprecation of
        torch.norm PR #57986. Remove when torch >= 1.7."""
        if dtype is not None:
            A = A.to(dtype)
        if dim is not None:
            dims = [dim] if isinstance(dim, int) else list(dim)
            if len(dims) == 1:
                result = vector_norm(A, 2 if ord is None else ord, dims, keepdim)
            elif len(dims) == 2:
                result = matrix_norm(A, "fro" if ord is None else ord, tuple(dims), keepdim)
            else:
                raise RuntimeError("linalg.norm: If dim is specified, it must be of length 1 or 2. Got %s" % (dim,))
        elif ord is None:
            result = vector_norm(A, 2, None, keepdim)
        elif A.dim() == 1:
            result = vector_norm(A, ord, None, keepdim)
        elif A.dim() == 2:
            result = matrix_norm(A, ord, (-2, -1), keepdim)
        else:
            raise RuntimeError(
                "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got %dD." % A.dim()
            )
        return _finish(result, out)

    return backport(norm)


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


@LA_LU.adapter("linalg.lu_factor")
def _lu_factor(env: Any) -> Resolution:
    fn = env.get("linalg.lu_factor")
    if fn is not MISSING:
        return native(fn)
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


@LA_TRIANGULAR_SOLVE.adapter("linalg.solve_triangular")
def _solve_triangular(env: Any) -> Resolution:
    fn = env.get("linalg.solve_triangular")
    if fn is not MISSING:
        return native(fn)
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


@LA_LU_SOLVE.adapter("linalg.lu_solve")
def _lu_solve(env: Any) -> Resolution:
    fn = env.get("linalg.lu_solve")
    if fn is not MISSING:
        return native(fn)
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


# -- legacy layouts: torch.eig's real (n, 2) eigenvalues, potri as cholesky_inverse ---------------------------------

LegacyEigResult = collections.namedtuple("eig", ["eigenvalues", "eigenvectors"])


@LA_EIG.adapter("linalg.eig_legacy")
def _eig_legacy(env: Any) -> Resolution:
    torch = env.torch
    new = env.get("linalg.eig")
    old = env.get("eig")
    if new is MISSING:
        if old is MISSING:
            return unavailable("1.9", "neither torch.eig nor torch.linalg.eig exists")
        return native(old)  # torch < 1.9: torch.eig itself (no deprecation warning there)

    def eig_legacy(A: Tensor, eigenvectors: bool = False) -> Any:
        """torch.eig's old result from torch.linalg.eig: eigenvalues as a real (n, 2) tensor of (real, imag)
        pairs and, with ``eigenvectors=True``, LAPACK geev's packed real eigenvectors (a conjugate pair j, j+1
        stored as the real and imaginary parts of v_j); else an empty tensor. 2-D real input only, as
        torch.eig. Deprecation PR https://github.com/pytorch/pytorch/pull/57727. Remove when code no longer
        needs torch.eig's layout (torch.eig is gone from 1.13)."""
        if A.dim() != 2 or A.shape[0] != A.shape[1]:
            raise RuntimeError("eig: A must be a square 2-D matrix, got shape %s" % (tuple(A.shape),))
        if A.is_complex() or not A.is_floating_point():
            raise RuntimeError("eig: expected a real floating point matrix, got %s" % (A.dtype,))
        values, vectors = new(A)
        pairs = torch.view_as_real(values).to(A.dtype)
        if not eigenvectors:
            return LegacyEigResult(pairs, A.new_empty(0))
        real = torch.view_as_real(vectors)  # (n, n, 2)
        packed = real[..., 0].clone()
        imag = pairs[:, 1].tolist()
        j, n = 0, len(imag)
        while j < n:
            if imag[j] != 0.0 and j + 1 < n:
                k = j if imag[j] > 0 else j + 1  # geev stores the eigenvalue with the positive imaginary part
                packed[:, j] = real[:, k, 0]
                packed[:, j + 1] = real[:, k, 1]
                j += 2
            else:
                j += 1
        return LegacyEigResult(pairs, packed.to(A.dtype))

    return backport(eig_legacy)


@LA_LAPACK_NAMES.adapter("cholesky_inverse")
def _cholesky_inverse(env: Any) -> Resolution:
    fn = env.get("cholesky_inverse")
    if fn is not MISSING:
        return native(fn)
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
