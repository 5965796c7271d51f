"""nn restores: ``F.softmax``/``log_softmax``/``softmin`` without ``dim``, 0.3's ``Module._backend``,
``pack_padded_sequence`` with lengths on the GPU."""

from __future__ import annotations

import functools
from typing import Any, Dict

from torchcompat.legacy.engine import in_scope, note
from torchcompat.legacy.face import ADD, WRAP, Restore, attach
from torchcompat.shifts.nn import NN_SOFTMAX_IMPLICIT_DIM
from torchcompat.shifts.nn.records import NN_MODULE_BACKEND, NN_PACKED_SEQ_CPU_LENGTHS


def implicit_dim(ndim: int) -> int:
    """The dimension 0.3/0.4 chose when ``dim`` was left out (``_get_softmax_dim``)."""
    return 0 if ndim in (0, 1, 3) else 1


def _softmax(env: Any, era: str, original: Any) -> Any:
    name = getattr(original, "__name__", "softmax")

    @functools.wraps(original)
    def wrapper(input: Any, *args: Any, **kwargs: Any) -> Any:
        if (not args or args[0] is None) and kwargs.get("dim") is None and in_scope():
            dim = implicit_dim(input.dim())
            note(
                "softmax-dim",
                "F.%s without dim uses dim=%d (the implicit 0.3/0.4 choice); pass dim=" % (name, dim),
                1,
                (input,),
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

# -- module._backend.Embedding.apply(...) ------------------------------------------------------------
# 0.3's Module._backend was the THNN function backend: ``_backend.Embedding`` the autograd Function of
# torch/nn/_functions/thnn/sparse.py (0.3), called as ``.apply(indices, weight, padding_idx, max_norm, norm_type,
# scale_grad_by_freq, sparse)``. Its padding_idx was compared with the index values (the sparse backward's
# ``indices != padding_idx``, THNN LookupTable_accGradParameters' paddingValue), so a negative one (nn.Embedding passed
# -1 for None) or one past the table meant "no padding row"; F.embedding reads -1 as the last row. The restore keeps
# the old meaning: such a padding_idx becomes None.

_BACKENDS: Dict[int, Any] = {}


def legacy_backend(torch: Any) -> Any:
    """The object standing for 0.3's ``Module._backend`` (one per torch): ``Embedding``, ``Dropout``,
    ``Dropout2d``/``Dropout3d`` (0.3's FeatureDropout) with their 0.3 ``apply`` signatures, over torch.nn.functional.
    Any other name raises NotImplementedError, as 0.3's backend did for a function it lacked."""
    found = _BACKENDS.get(id(torch))
    if found is not None:
        return found
    functional = torch.nn.functional

    class Embedding:
        """0.3's ``_backend.Embedding``: ``apply(indices, weight, padding_idx, max_norm, norm_type,
        scale_grad_by_freq, sparse=False)``; a negative or out-of-table ``padding_idx`` means none."""

        @staticmethod
        def apply(
            indices: Any,
            weight: Any,
            padding_idx: Any = None,
            max_norm: Any = None,
            norm_type: float = 2,
            scale_grad_by_freq: bool = False,
            sparse: bool = False,
        ) -> Any:
            note(
                "module-backend",
                "module._backend.Embedding.apply(...) is F.embedding (padding_idx -1: none)",
                1,
                operands=(indices, weight, padding_idx),
            )
            if padding_idx is not None and not 0 <= padding_idx < weight.size(0):
                padding_idx = None
            return functional.embedding(
                indices, weight, padding_idx, max_norm, float(norm_type), scale_grad_by_freq, sparse
            )

    class Dropout:
        """0.3's ``_backend.Dropout``: ``apply(input, p=0.5, train=False, inplace=False)``."""

        @staticmethod
        def apply(input: Any, p: float = 0.5, train: bool = False, inplace: bool = False) -> Any:
            note(
                "module-backend",
                "module._backend.Dropout.apply(x, p, train) is F.dropout(x, p, train)",
                1,
                operands=(input,),
            )
            return functional.dropout(input, p, train, inplace)

    class FeatureDropout:
        """0.3's ``_backend.Dropout2d``/``Dropout3d`` (FeatureDropout): whole channels, ``apply(input, p=0.5,
        train=False, inplace=False)``."""

        @staticmethod
        def apply(input: Any, p: float = 0.5, train: bool = False, inplace: bool = False) -> Any:
            note(
                "module-backend",
                "module._backend.Dropout2d.apply(...) is F.dropout2d / torch.feature_dropout",
                1,
                operands=(input,),
            )
            return (torch.feature_dropout_ if inplace else torch.feature_dropout)(input, p, train)

    class LegacyBackend:
        """Restored 0.3 ``Module._backend`` (torchcompat.legacy): Embedding, Dropout, Dropout2d, Dropout3d."""

        def __getattr__(self, name: str) -> Any:
            raise NotImplementedError(
                "module._backend.%s: torchcompat restores only Embedding, Dropout, Dropout2d and Dropout3d of 0.3's "
                "THNN backend; call torch.nn.functional instead" % name
            )

    backend = LegacyBackend()
    for key, value in (
        ("Embedding", Embedding),
        ("Dropout", Dropout),
        ("Dropout2d", FeatureDropout),
        ("Dropout3d", FeatureDropout),
    ):
        setattr(backend, key, value)
    _BACKENDS[id(torch)] = backend
    return backend


def _module_backend(env: Any, era: str, original: Any) -> Any:
    return legacy_backend(env.torch)


attach(
    NN_MODULE_BACKEND,
    Restore(
        "nn.Module._backend",
        _module_backend,
        ADD,
        name="module-backend",
        until=None,  # 1.0-1.2 still had the attribute (without Embedding): every era
        summary="module._backend.Embedding / Dropout .apply(...) with 0.3's arguments (padding_idx -1: none)",
    ),
)


def _function_backend_getattr(env: Any, era: str, original: Any) -> Any:
    backend = legacy_backend(env.torch)

    @functools.wraps(original)
    def __getattr__(self: Any, name: str) -> Any:
        try:
            return original(self, name)
        except (NotImplementedError, AttributeError):  # 1.0-1.1 raise the first, 1.2 the second
            if name in vars(backend):
                return getattr(backend, name)
            raise

    return __getattr__


attach(
    NN_MODULE_BACKEND,
    Restore(
        "nn.backends.backend.FunctionBackend.__getattr__",
        _function_backend_getattr,
        WRAP,
        name="module-backend",
        until=None,
        summary="module._backend.Embedding on 1.0-1.2, whose backend no longer had it",
    ),
)

# -- pack_padded_sequence(x, lengths_on_gpu) ---------------------------------------------------------


def _pack_padded(env: Any, era: str, original: Any) -> Any:
    torch = env.torch

    @functools.wraps(original)
    def pack_padded_sequence(input: Any, lengths: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(lengths, torch.Tensor) and lengths.device.type != "cpu":
            note(
                "packed-cpu-lengths",
                "pack_padded_sequence(x, lengths on %s): lengths.cpu() as before 1.7; "
                "pass lengths.cpu()" % lengths.device.type,
                1,
                operands=(input, lengths),
            )
            lengths = lengths.cpu()
        return original(input, lengths, *args, **kwargs)

    return pack_padded_sequence


attach(
    NN_PACKED_SEQ_CPU_LENGTHS,
    Restore(
        "nn.utils.rnn.pack_padded_sequence",
        _pack_padded,
        WRAP,
        name="packed-cpu-lengths",
        needed=lambda env: env.at_least("1.7"),  # no probe without a GPU: 1.7 is when torch began refusing them
        until=None,  # every legacy era had the implicit copy
        summary="pack_padded_sequence with lengths on the GPU copies them to the CPU (before 1.7)",
    ),
)
