"""Linear algebra shifts: the LAPACK-era names and torch.linalg.

Records generated from the shift catalogue; adapters, probes and notes are added beside them."""

from __future__ import annotations

from torchcompat.registry import declare

shift = declare("linalg")

LA_SOLVE = shift(
    "la-solve",
    "X, LU = torch.solve(B, A) -> torch.linalg.solve(A, B) (arguments reversed",
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
    "e, V = torch.symeig(A, eigenvectors=True, upper=True) -> torch.linalg.eigh(A, UPLO='U') / eigvalsh",
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
    "torch.eig(A, eigenvectors=True) (real (n,2) eigenvalue layou -> torch.linalg.eig(A) / eigvals (complex)",
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
    "X, QR = torch.lstsq(B, A) -> torch.linalg.lstsq(A, B).solution",
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
    "torch.matrix_rank(A, symmetric=True) -> torch.linalg.matrix_rank(A, hermitian=True)",
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
    "Q, R = torch.qr(A, some=False) -> torch.linalg.qr(A, mode='complete') (some=True → 'reduced')",
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
    "torch.cholesky(A, upper=True) -> torch.linalg.cholesky(A).mH",
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
    "torch.chain_matmul(a, b, c) -> torch.linalg.multi_dot([a, b, c])",
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
    "torch.ger(a, b) -> torch.outer(a, b)",
    old="`torch.ger(a, b)`",
    new="`torch.outer(a, b)`",
    added="1.8",
    strategy="alias",
    notes='added: 1.8; deprecated: deprecated (TorchFix: PR "TBA"); removed: still present. How common: ns (M)',
)

LA_NORM = shift(
    "la-norm",
    "torch.norm(x, p, dim) -> torch.linalg.vector_norm / matrix_norm / linalg.norm",
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
    "U, S, V = torch.svd(A, some=True) -> U, S, Vh = torch.linalg.svd(A, full_matrices=False)",
    old="`U, S, V = torch.svd(A, some=True)`",
    new="`U, S, Vh = torch.linalg.svd(A, full_matrices=False)`; `V = Vh.mH`",
    added="1.8",
    strategy="codemod",
    notes='added: 1.8; deprecated: deprecated in docs ("TBA"); removed: still present. Silent change: YES: returns Vh not V; `some` ↔ `full_matrices` inverted. How common: ns (M)',
)

LA_LU = shift(
    "la-lu",
    "LU, piv = torch.lu(A) -> torch.linalg.lu_factor(A)",
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
    "torch.lu_solve(B, LU, piv) -> torch.linalg.lu_solve(LU, piv, B)",
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
    "torch.triangular_solve(B, A, upper=True) -> torch.linalg.solve_triangular(A, B, upper=True)",
    old="`torch.triangular_solve(B, A, upper=True)`",
    new="`torch.linalg.solve_triangular(A, B, upper=True)`",
    added="1.11",
    strategy="alias",
    notes='added: 1.11; deprecated: deprecated ("TBA"); removed: still present. Silent change: arguments reversed; returns only X. How common: ns (L)',
)

LA_RANGE = shift(
    "la-range",
    "torch.range(a, b) (end inclusive, float) -> torch.arange(a, b + step, step)",
    old="`torch.range(a, b)` (end inclusive, float)",
    new="`torch.arange(a, b + step, step)`",
    strategy="codemod",
    verified=False,
    notes="added: —; deprecated: long-standing UserWarning ?; removed: still present as of 2.x. Silent change: YES if rewritten naively: off-by-one; dtype float vs int64. How common: ns (M)",
)

LA_LAPACK_NAMES = shift(
    "la-lapack-names",
    "torch.gesv(B, A), torch.potrf(A, upper), torch.potrs, torch. -> torch.linalg.solve, torch.linalg.cholesky, torch.cholesky_so",
    old="`torch.gesv(B, A)`, `torch.potrf(A, upper)`, `torch.potrs`, `torch.potri`, `torch.trtrs`, `torch.btrifact`, `torch.btrisolve`, `torch.gels(B, A)`",
    new="`torch.linalg.solve`, `torch.linalg.cholesky`, `torch.cholesky_solve`, `torch.cholesky_inverse`, `torch.linalg.solve_triangular`, `torch.linalg.lu_factor`, `torch.linalg.lu_solve`, `torch.linalg.lstsq`",
    added="1.0",
    deprecated="1.0",
    removed="1.2",
    strategy="legacy-restore",
    verified=False,
    notes="added: 1.0–1.9; deprecated: 1.0–1.2 ?; removed: 1.2–1.3 ? (AttributeError). Silent change: argument order (B, A) and return tuples differ. How common: M",
)
