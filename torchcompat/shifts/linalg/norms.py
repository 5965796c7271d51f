"""``tc.linalg.multi_dot``, ``vector_norm``, ``matrix_norm``, ``norm``: torch.linalg's where present, else
backports over chain_matmul / torch.norm."""

from __future__ import annotations

from typing import Any, Callable, List, Optional, Sequence, Tuple, Union

from torchcompat.registry import Resolution, backport
from torchcompat.shifts.linalg.batching import (
    _finish,
)
from torchcompat.shifts.linalg.decompositions import (
    _svd_calls,
)
from torchcompat.shifts.linalg.records import (
    LA_CHAIN_MATMUL,
    LA_NORM,
)
from torchcompat.shifts.linalg.results import (
    Tensor,
)

# -- multi_dot, norms -----------------------------------------------------------------------------------------------


@LA_CHAIN_MATMUL.native_or("linalg.multi_dot")
def _multi_dot(env: Any) -> Resolution:
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


@LA_NORM.native_or("linalg.vector_norm")
def _vector_norm(env: Any) -> Resolution:
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


@LA_NORM.native_or("linalg.matrix_norm")
def _matrix_norm(env: Any) -> Resolution:
    return backport(_matrix_norm_backport(env))


@LA_NORM.native_or("linalg.norm")
def _norm(env: Any) -> Resolution:
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
