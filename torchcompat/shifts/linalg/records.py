"""The linear algebra records: the LAPACK-era names and torch.linalg (declarations only, no torch)."""

from __future__ import annotations

from torchcompat.registry import declare

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
    notes="deprecated: 1.9 (PR #57741); removed: 1.13 ? (PR #70986); stub in 2.x. Silent change: YES risk: swapped args give wrong answers when the shapes happen to fit (pytorch#105452). How common: M (6)",
    kind="spelling",
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
    notes="deprecated: 1.9 (PR #57732); removed: 2.0 (PR #70988); stub. Silent change: YES: default triangle upper → lower; `eigenvectors=False` returned an empty V. How common: M (3)",
    kind="spelling",
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
    notes="deprecated: 1.9 (PR #57727); removed: 1.13 ? (PR #70982); stub. Silent change: output becomes complex. How common: M (5; issues kit1980 filed in FB repos)",
    kind="spelling",
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
    notes="deprecated: 1.9 (PR #57743); removed: 1.13 ? (PR #70980); stub. Silent change: arguments reversed; the old result was padded to (max(m,n), k). How common: ns (L)",
    kind="spelling",
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
    notes="deprecated: 1.9 (PR #57734); removed: 1.13 ? (PR #70981); stub. How common: ns (L)",
    kind="spelling",
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
    notes="deprecated: 1.9 (PR #57745); removed: still present (deprecated) as of 2.x. How common: ns (M)",
    kind="spelling",
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
    notes="deprecated: 1.9 (PR #57725). Silent change: the upper flag maps to `.mH` (needs 1.11, see t-mT-mH). How common: ns (M)",
    kind="spelling",
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
    notes="deprecated: 1.9 (PR #57735). How common: ns (L)",
    kind="spelling",
)

LA_GER = shift(
    "la-ger",
    "torch.ger(a, b) → torch.outer(a, b)",
    old="`torch.ger(a, b)`",
    new="`torch.outer(a, b)`",
    added="1.7",  # torch.outer: 1.7.1 has it, 1.6.0 not (torch/_torch_docs.py)
    strategy="alias",
    notes='deprecated: deprecated (TorchFix: PR "TBA"). How common: ns (M)',
    kind="spelling",
)

LA_NORM = shift(
    "la-norm",
    "torch.norm(x, p, dim) → torch.linalg.vector_norm / matrix_norm",
    old="`torch.norm(x, p, dim)`",
    new="`torch.linalg.vector_norm` / `matrix_norm` / `linalg.norm`",
    added="1.9",  # vector_norm/matrix_norm; linalg.norm alone is 1.7
    deprecated="1.9",
    link="https://github.com/pytorch/pytorch/pull/57986",
    strategy="codemod",
    verified=False,
    notes="`linalg.norm` exists from 1.7, `vector_norm`/`matrix_norm` (what the rule writes) from 1.9. Silent change: YES if mapped blindly: `p='fro'`/`p=2` mean different things for matrices vs vectors; `dim=None` flattens. How common: ns (H; the most frequent TOR101 hit in torchaudio and pyro runs)",
    kind="spelling",
)

LA_SVD = shift(
    "la-svd",
    "U, S, V = torch.svd(A, some=True) → U, S, Vh = torch.linalg.svd(A, full_matrices=False)",
    old="`U, S, V = torch.svd(A, some=True)`",
    new="`U, S, Vh = torch.linalg.svd(A, full_matrices=False)`; `V = Vh.mH`",
    added="1.8",
    strategy="codemod",
    notes='deprecated: deprecated in docs ("TBA"). Silent change: YES: returns Vh not V; `some` ↔ `full_matrices` inverted. How common: ns (M)',
    kind="spelling",
)

LA_LU = shift(
    "la-lu",
    "LU, piv = torch.lu(A) → torch.linalg.lu_factor(A)",
    old="`LU, piv = torch.lu(A)`",
    new="`torch.linalg.lu_factor(A)`",
    added="1.11",  # linalg.lu_factor native from 1.11 (docs/status/torch-1.11.json)
    deprecated="1.13",
    link="https://github.com/pytorch/pytorch/pull/73804",
    strategy="alias",
    notes="deprecated: 1.13 (PR #73804). How common: ns (L)",
    kind="spelling",
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
    notes="deprecated: 1.13 (PR #73806). Silent change: arguments reordered. How common: ns (L)",
    kind="spelling",
)

LA_TRIANGULAR_SOLVE = shift(
    "la-triangular-solve",
    "torch.triangular_solve(B, A, upper=True) → torch.linalg.solve_triangular(A, B, upper=True)",
    old="`torch.triangular_solve(B, A, upper=True)`",
    new="`torch.linalg.solve_triangular(A, B, upper=True)`",
    added="1.11",
    strategy="alias",
    notes='deprecated: deprecated ("TBA"). Silent change: arguments reversed; returns only X. How common: ns (L)',
    kind="spelling",
)

LA_RANGE = shift(
    "la-range",
    "torch.range(a, b) → torch.arange(a, b + step, step)",
    old="`torch.range(a, b)` (end inclusive, float)",
    new="`torch.arange(a, b + step, step)`",
    strategy="codemod",
    verified=False,
    notes="deprecated: long-standing UserWarning ?. Silent change: YES if rewritten naively: off-by-one; dtype float vs int64. How common: ns (M)",
    kind="spelling",
)

LA_LAPACK_NAMES = shift(
    "la-lapack-names",
    "torch.gesv/gels/potrf/potrs/potri/trtrs/btrifact/btrisolve → torch.linalg.*",
    old="`torch.gesv(B, A)`, `torch.potrf(A, upper)`, `torch.potrs`, `torch.potri`, `torch.trtrs`, `torch.btrifact`, `torch.btrisolve`, `torch.gels(B, A)`",
    new="`torch.linalg.solve`, `torch.linalg.cholesky`, `torch.cholesky_solve`, `torch.cholesky_inverse`, `torch.linalg.solve_triangular`, `torch.linalg.lu_factor`, `torch.linalg.lu_solve`, `torch.linalg.lstsq`",
    added="1.1",  # cholesky_solve/cholesky_inverse native from 1.1; the linalg successors are their own records
    deprecated="1.0",
    removed="1.2",
    strategy="legacy-restore",
    verified=False,
    notes="The successors arrive 1.1 (cholesky_solve) to 1.9 (linalg.*); deprecated: 1.0–1.2 ?; removed: 1.2–1.3 ? (AttributeError). Silent change: argument order (B, A) and return tuples differ. How common: M",
    kind="spelling",
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
    kind="spelling",
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
    kind="spelling",
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
    kind="spelling",
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
    kind="spelling",
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
