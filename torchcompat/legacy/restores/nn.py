"""nn restores: ``F.softmax``/``log_softmax``/``softmin`` without ``dim``."""

from __future__ import annotations

import functools
from typing import Any

from torchcompat.legacy.engine import note
from torchcompat.legacy.face import WRAP, Restore, attach
from torchcompat.shifts.nn import NN_SOFTMAX_IMPLICIT_DIM


def implicit_dim(ndim: int) -> int:
    """The dimension 0.3/0.4 chose when ``dim`` was left out (``_get_softmax_dim``)."""
    return 0 if ndim in (0, 1, 3) else 1


def _softmax(env: Any, era: str, original: Any) -> Any:
    name = getattr(original, "__name__", "softmax")

    @functools.wraps(original)
    def wrapper(input: Any, *args: Any, **kwargs: Any) -> Any:
        if (not args or args[0] is None) and kwargs.get("dim") is None:
            dim = implicit_dim(input.dim())
            note(
                "softmax-dim", "F.%s without dim uses dim=%d (the implicit 0.3/0.4 choice); pass dim=" % (name, dim), 1
            )
            kwargs["dim"] = dim
            args = args[1:]
        return original(input, *args, **kwargs)

    return wrapper


for _target in ("nn.functional.softmax", "nn.functional.log_softmax", "nn.functional.softmin"):
    attach(
        NN_SOFTMAX_IMPLICIT_DIM,
        Restore(
            _target,
            _softmax,
            WRAP,
            name="softmax-dim",
            summary="F.softmax / log_softmax / softmin without dim: the old implicit choice, one warning per site",
        ),
    )
