"""``tc.nn.functional.silu``, ``mish``, ``hardswish``, ``gelu``, ``one_hot``: torch's where present, else backports."""

from __future__ import annotations

import math
from typing import Any, Callable

from torchcompat.registry import REGISTRY, Resolution, backport, native
from torchcompat.shifts.nn.backports import (
    BACKPORTS,
)
from torchcompat.shifts.nn.records import (
    NN_FUNCTIONAL_ADDED,
)

# -- functional activations ----------------------------------------------------------------------


@REGISTRY.builder("nn.functional.silu")
def _build_silu(torch: Any) -> Callable[..., Any]:
    def silu(input: Any, inplace: bool = False) -> Any:
        """SiLU / swish, ``x * sigmoid(x)``, for torch < 1.7 (https://github.com/pytorch/pytorch/pull/41034).
        Remove when torch >= 1.7."""
        if inplace:
            return input.mul_(torch.sigmoid(input))
        return input * torch.sigmoid(input)

    return silu


@REGISTRY.builder("nn.functional.mish")
def _build_mish(torch: Any) -> Callable[..., Any]:
    softplus = torch.nn.functional.softplus

    def mish(input: Any, inplace: bool = False) -> Any:
        """Mish, ``x * tanh(softplus(x))``, for torch < 1.9 (https://github.com/pytorch/pytorch/pull/58648).
        Remove when torch >= 1.9."""
        if inplace:
            return input.mul_(torch.tanh(softplus(input)))
        return input * torch.tanh(softplus(input))

    return mish


@REGISTRY.builder("nn.functional.hardswish")
def _build_hardswish(torch: Any) -> Callable[..., Any]:
    relu6 = torch.nn.functional.relu6

    def hardswish(input: Any, inplace: bool = False) -> Any:
        """Hardswish, ``x * relu6(x + 3) / 6``, for torch < 1.6 (https://github.com/pytorch/pytorch/pull/34747).
        Remove when torch >= 1.6."""
        if inplace:
            return input.mul_(relu6(input + 3)).div_(6)
        return input * relu6(input + 3) / 6

    return hardswish


@REGISTRY.builder("nn.functional.gelu")
def _build_gelu(torch: Any) -> Callable[..., Any]:
    base = getattr(torch.nn.functional, "gelu", None)
    sqrt1_2 = math.sqrt(0.5)
    beta = math.sqrt(2.0 / math.pi)

    def gelu(input: Any, approximate: str = "none") -> Any:
        """GELU with ``approximate='none' | 'tanh'`` for torch < 1.12 (the function itself for torch < 1.2;
        https://github.com/pytorch/pytorch/pull/61439). Remove when torch >= 1.12."""
        if approximate == "none":
            if base is not None:
                return base(input)
            return input * 0.5 * (1.0 + torch.erf(input * sqrt1_2))
        if approximate == "tanh":
            inner = (input + 0.044715 * input * input * input) * beta
            return 0.5 * input * (1.0 + torch.tanh(inner))
        raise RuntimeError("approximate argument must be either none or tanh.")

    return gelu


@REGISTRY.builder("nn.functional.one_hot")
def _build_one_hot(torch: Any) -> Callable[..., Any]:
    def one_hot(tensor: Any, num_classes: int = -1) -> Any:
        """``F.one_hot`` for torch < 1.1 (https://github.com/pytorch/pytorch/pull/15208). Remove when torch >= 1.1."""
        if tensor.dtype != torch.long:
            raise RuntimeError("one_hot is only applicable to index tensor.")
        if tensor.numel() > 0:
            if int(tensor.min()) < 0:
                raise RuntimeError("Class values must be non-negative.")
            top = int(tensor.max())
            if num_classes == -1:
                num_classes = top + 1
            elif top >= num_classes:
                raise RuntimeError("Class values must be smaller than num_classes.")
        elif num_classes == -1:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        out = torch.zeros(tuple(tensor.shape) + (num_classes,), dtype=torch.long, device=tensor.device)
        if tensor.numel() == 0:
            return out
        return out.scatter_(-1, tensor.unsqueeze(-1), 1)

    return one_hot


for _name in ("silu", "mish", "hardswish", "one_hot"):
    NN_FUNCTIONAL_ADDED.backported("nn.functional." + _name)


def _gelu_has_approximate(env: Any) -> bool:
    return env.behaves(
        "nn-gelu-approximate", lambda t: t.nn.functional.gelu(t.zeros(1), approximate="tanh") is not None
    )


@NN_FUNCTIONAL_ADDED.adapter("nn.functional.gelu")
def _gelu(env: Any) -> Resolution:
    if env.has("nn.functional.gelu") and _gelu_has_approximate(env):
        return native(env.get("nn.functional.gelu"))
    note = "adds approximate=" if env.has("nn.functional.gelu") else ""
    return backport(BACKPORTS["nn.functional.gelu"](env.torch), note)
