"""``tc.nn.init.*``: the underscore initialisers, ``trunc_normal_``, and the SELU gain (3/4) where torch lacks them."""

from __future__ import annotations

import math
import warnings
from typing import Any, Callable, Tuple

from torchcompat.probe import MISSING
from torchcompat.registry import REGISTRY, Resolution, backport, native, unavailable
from torchcompat.shifts.nn.backports import (
    BACKPORTS,
)
from torchcompat.shifts.nn.records import (
    INIT_NAMES,
    NN_INIT_NO_UNDERSCORE,
    NN_INIT_SELU_GAIN,
    NN_INIT_TRUNC_NORMAL,
)

# -- nn.init ---------------------------------------------------------------------------------------


def _fans(tensor: Any) -> Tuple[int, int]:
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive = 1
    for s in tensor.shape[2:]:
        receptive *= int(s)
    return int(tensor.size(1)) * receptive, int(tensor.size(0)) * receptive


def _selu_gain_native(env: Any) -> bool:
    return bool(NN_INIT_SELU_GAIN.is_native(env))


@REGISTRY.builder("nn.init.calculate_gain")
def _build_calculate_gain(torch: Any) -> Callable[..., Any]:
    base = torch.nn.init.calculate_gain

    def calculate_gain(nonlinearity: str, param: Any = None) -> float:
        """``calculate_gain`` knowing ``'selu'`` (3/4) for torch < 1.8 (https://github.com/pytorch/pytorch/pull/50664).
        Remove when torch >= 1.8."""
        if nonlinearity == "selu":
            return 3.0 / 4
        return base(nonlinearity, param)

    return calculate_gain


def _build_kaiming(torch: Any, name: str) -> Callable[..., Any]:
    init = torch.nn.init
    base = getattr(init, name + "_", None) or getattr(init, name)
    gain_of = BACKPORTS["nn.init.calculate_gain"](torch)
    uniform = name == "kaiming_uniform"

    def kaiming_(tensor: Any, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu") -> Any:
        if nonlinearity != "selu":
            return base(tensor, a=a, mode=mode, nonlinearity=nonlinearity)
        mode = mode.lower()
        if mode not in ("fan_in", "fan_out"):
            raise ValueError("Mode {} not supported, please use one of fan_in, fan_out".format(mode))
        fan_in, fan_out = _fans(tensor)
        std = gain_of(nonlinearity, a) / math.sqrt(fan_in if mode == "fan_in" else fan_out)
        with torch.no_grad():
            if uniform:
                bound = math.sqrt(3.0) * std
                return tensor.uniform_(-bound, bound)
            return tensor.normal_(0, std)

    kaiming_.__name__ = kaiming_.__qualname__ = name + "_"
    kaiming_.__doc__ = (
        "``nn.init.%s_`` accepting ``nonlinearity='selu'`` for torch < 1.8\n"
        "(https://github.com/pytorch/pytorch/pull/50664). Remove when torch >= 1.8." % name
    )
    return kaiming_


REGISTRY.builder("nn.init.kaiming_uniform_")(lambda torch: _build_kaiming(torch, "kaiming_uniform"))
REGISTRY.builder("nn.init.kaiming_normal_")(lambda torch: _build_kaiming(torch, "kaiming_normal"))


@REGISTRY.builder("nn.init.trunc_normal_")
def _build_trunc_normal(torch: Any) -> Callable[..., Any]:
    def trunc_normal_(tensor: Any, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0) -> Any:
        """``nn.init.trunc_normal_`` for torch < 1.6 (https://github.com/pytorch/pytorch/pull/32397): inverse-CDF
        sampling of the normal(mean, std) truncated to [a, b]. Remove when torch >= 1.6."""

        def cdf(x: float) -> float:
            return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

        if mean < a - 2 * std or mean > b + 2 * std:
            warnings.warn(
                "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                "The distribution of values may be incorrect.",
                stacklevel=2,
            )
        with torch.no_grad():
            lo, hi = cdf((a - mean) / std), cdf((b - mean) / std)
            tensor.uniform_(2 * lo - 1, 2 * hi - 1)
            tensor.erfinv_()
            tensor.mul_(std * math.sqrt(2.0))
            tensor.add_(mean)
            tensor.clamp_(min=a, max=b)
            return tensor

    return trunc_normal_


def _init_resolver(name: str) -> Callable[[Any], Resolution]:
    def resolve(env: Any) -> Resolution:
        path = "nn.init." + name
        obj = env.get(path)
        if name in ("kaiming_uniform_", "kaiming_normal_") and not _selu_gain_native(env):
            if obj is MISSING and not env.has(path[:-1]):
                return unavailable("0.1", "torch.nn.init.%s is missing" % name)
            return backport(BACKPORTS[path](env.torch), "adds nonlinearity='selu'")
        if obj is not MISSING:
            return native(obj)
        if name == "trunc_normal_":
            return backport(BACKPORTS[path](env.torch))
        old = env.get(path[:-1])
        if old is not MISSING:
            # 0.3: the same in-place initialisers under their old names (https://github.com/pytorch/pytorch/pull/6093)
            return backport(old, "the torch 0.3 name %s" % name[:-1])
        return unavailable("0.4", "torch.nn.init.%s is missing" % name)

    return resolve


_INIT_RECORDS = {"trunc_normal_": NN_INIT_TRUNC_NORMAL, "kaiming_uniform_": NN_INIT_SELU_GAIN}
_INIT_RECORDS["kaiming_normal_"] = NN_INIT_SELU_GAIN
for _name in INIT_NAMES:
    _INIT_RECORDS.get(_name, NN_INIT_NO_UNDERSCORE).adapter("nn.init." + _name)(_init_resolver(_name))


@NN_INIT_SELU_GAIN.adapter("nn.init.calculate_gain")
def _calculate_gain(env: Any) -> Resolution:
    if _selu_gain_native(env):
        return native(env.get("nn.init.calculate_gain"))
    return backport(BACKPORTS["nn.init.calculate_gain"](env.torch), "adds 'selu'")
