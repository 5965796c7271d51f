"""torch.linalg's named-tuple results, for the backports (and torch.eig's legacy layout)."""

from __future__ import annotations

import collections
from typing import Any

Tensor = Any  # a torch.Tensor (shift modules never import torch at module level)

EighResult = collections.namedtuple("linalg_eigh", ["eigenvalues", "eigenvectors"])
EigResult = collections.namedtuple("linalg_eig", ["eigenvalues", "eigenvectors"])
QRResult = collections.namedtuple("linalg_qr", ["Q", "R"])
SlogdetResult = collections.namedtuple("linalg_slogdet", ["sign", "logabsdet"])
SVDResult = collections.namedtuple("linalg_svd", ["U", "S", "Vh"])
LstsqResult = collections.namedtuple("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])
LUFactorResult = collections.namedtuple("linalg_lu_factor", ["LU", "pivots"])


LegacyEigResult = collections.namedtuple("eig", ["eigenvalues", "eigenvectors"])
