"""Helpers of the linalg backports: batch broadcasting, per-matrix loops where an old function is 2-D only
(decided by a cached tiny-tensor probe), tolerances, ``out=``."""

from __future__ import annotations

import itertools
from typing import Any, Callable, List, Sequence, Tuple

from torchcompat.probe import MISSING
from torchcompat.shifts.linalg.results import (
    Tensor,
)

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
