"""Linear algebra shifts: the LAPACK-era names and torch.linalg.

Records generated from the shift catalogue; adapters, probes and notes are added beside them.

``tc.linalg.<name>`` for solve, eigh, eigvalsh, eig, eigvals, qr, cholesky, lstsq, matrix_rank, multi_dot, norm,
vector_norm, matrix_norm, det, slogdet, inv, pinv, svd, svdvals, lu_factor, lu_solve and solve_triangular is
torch.linalg's function where the running torch has it (with the later keywords: a thin wrapper on the first
releases that lacked ``left``/``upper``/``atol``/``Vh``), else a backport from the old functions with torch.linalg's
argument order, named-tuple fields and batching. ``eig``/``eigvals`` need complex tensors (torch >= 1.6).

A package by topic: ``records`` (the declarations), ``results`` (named tuples), ``batching`` (helpers), and
the adapters by family (``solve``, ``eigen``, ``decompositions``, ``norms``). Every name of the former flat
module stays importable from here (``from torchcompat.shifts.linalg import LA_SOLVE``)."""

from __future__ import annotations

from torchcompat.probe import MISSING  # noqa: F401 - re-exported, as from the flat module
from torchcompat.shifts.linalg.batching import (  # noqa: F401 - re-exported: the former flat module's names
    _EPS,
    _batched_call,
    _batches,
    _broadcast_shape,
    _check_square,
    _eps,
    _expand_batch,
    _finish,
    _mH,
    _missing_kw,
    _mT,
    _old,
    _per_matrix,
    _probe_matrices,
    _real_dtype,
    _stack_batch,
    _vector_rhs,
)
from torchcompat.shifts.linalg.decompositions import (  # noqa: F401 - re-exported: the former flat module's names
    _LSTSQ_DRIVERS,
    _as_tol,
    _cholesky,
    _cutoff,
    _lstsq,
    _matrix_rank,
    _pinv,
    _qr,
    _svd,
    _svd_calls,
    _svdvals,
)
from torchcompat.shifts.linalg.eigen import (  # noqa: F401 - re-exported: the former flat module's names
    _check_uplo,
    _eig,
    _eig_backport,
    _eig_legacy,
    _eigh,
    _eigvals,
    _eigvalsh,
    _has_complex,
)
from torchcompat.shifts.linalg.norms import (  # noqa: F401 - re-exported: the former flat module's names
    _dims,
    _matrix_norm,
    _matrix_norm_backport,
    _multi_dot,
    _norm,
    _reduce,
    _vector_norm,
    _vector_norm_backport,
)
from torchcompat.shifts.linalg.records import (  # noqa: F401 - re-exported: the former flat module's names
    LA_CHAIN_MATMUL,
    LA_CHOLESKY,
    LA_DET,
    LA_EIG,
    LA_GER,
    LA_INVERSE,
    LA_LAPACK_NAMES,
    LA_LSTSQ,
    LA_LU,
    LA_LU_SOLVE,
    LA_MATRIX_RANK,
    LA_NORM,
    LA_PINVERSE,
    LA_QR,
    LA_RANGE,
    LA_SLOGDET,
    LA_SOLVE,
    LA_SVD,
    LA_SYMEIG,
    LA_TRIANGULAR_SOLVE,
    shift,
)
from torchcompat.shifts.linalg.results import (  # noqa: F401 - re-exported: the former flat module's names
    EighResult,
    EigResult,
    LegacyEigResult,
    LstsqResult,
    LUFactorResult,
    QRResult,
    SlogdetResult,
    SVDResult,
    Tensor,
)
from torchcompat.shifts.linalg.solve import (  # noqa: F401 - re-exported: the former flat module's names
    _cholesky_inverse,
    _det,
    _flat3,
    _inv,
    _lu_factor,
    _lu_solve,
    _slogdet,
    _solve,
    _solve_backport,
    _solve_triangular,
)
