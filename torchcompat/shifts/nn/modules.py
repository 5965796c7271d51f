"""``tc.nn.Identity``, ``Flatten``, ``Unflatten``, ``SiLU``, ``Mish``, ``Hardswish``, ``GELU``: torch's where present,
else backported module classes (pickled as ``torchcompat.shifts.nn._tc_<Name>``)."""

from __future__ import annotations

from typing import Any

from torchcompat.registry import REGISTRY, Resolution, backport, native
from torchcompat.shifts.nn.backports import (
    _F,
    BACKPORTS,
    _module_class,
)
from torchcompat.shifts.nn.functional import (
    _gelu_has_approximate,
)
from torchcompat.shifts.nn.records import (
    NN_MODULES_ADDED,
)

# -- modules ---------------------------------------------------------------------------------------


@REGISTRY.builder("nn.Identity")
def _build_identity(torch: Any) -> Any:
    class Identity(torch.nn.Module):
        """``nn.Identity`` for torch < 1.1 (https://github.com/pytorch/pytorch/pull/19249): returns its input; any
        constructor arguments are ignored. Remove when torch >= 1.1."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__()

        def forward(self, input: Any) -> Any:
            return input

    return _module_class(Identity)


@REGISTRY.builder("nn.Flatten")
def _build_flatten(torch: Any) -> Any:
    class Flatten(torch.nn.Module):
        """``nn.Flatten(start_dim=1, end_dim=-1)`` for torch < 1.2 (https://github.com/pytorch/pytorch/pull/22245).
        Remove when torch >= 1.2."""

        def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
            super().__init__()
            self.start_dim = start_dim
            self.end_dim = end_dim

        def forward(self, input: Any) -> Any:
            return input.flatten(self.start_dim, self.end_dim)

        def extra_repr(self) -> str:
            return "start_dim={}, end_dim={}".format(self.start_dim, self.end_dim)

    return _module_class(Flatten)


@REGISTRY.builder("nn.Unflatten")
def _build_unflatten(torch: Any) -> Any:
    class Unflatten(torch.nn.Module):
        """``nn.Unflatten(dim, unflattened_size)`` for torch < 1.7 (https://github.com/pytorch/pytorch/pull/41564),
        and with a -1
        (inferred) size where torch's own lacks it; integer sizes only (the named-tensor form needs
        torch's own). Remove when the oldest torch supported has both (1.8's has no -1)."""

        def __init__(self, dim: Any, unflattened_size: Any) -> None:
            super().__init__()
            if not isinstance(dim, int):
                raise TypeError("invalid argument type for dim parameter (torchcompat's Unflatten takes an int)")
            if not isinstance(unflattened_size, (tuple, list)) or not all(isinstance(s, int) for s in unflattened_size):
                raise TypeError("unflattened_size must be a tuple or list of ints")
            self.dim = dim
            self.unflattened_size = unflattened_size

        def forward(self, input: Any) -> Any:
            dim = self.dim + input.dim() if self.dim < 0 else self.dim
            shape = list(input.shape)
            return input.view(shape[:dim] + list(self.unflattened_size) + shape[dim + 1 :])

        def extra_repr(self) -> str:
            return "dim={}, unflattened_size={}".format(self.dim, self.unflattened_size)

    return _module_class(Unflatten)


def _activation_module(torch: Any, cls_name: str, fn_name: str, pr: str, needs: str) -> Any:
    fn = _F(torch, fn_name)

    def __init__(self: Any, inplace: bool = False) -> None:
        torch.nn.Module.__init__(self)
        self.inplace = inplace

    def forward(self: Any, input: Any) -> Any:
        return fn(input, inplace=self.inplace)

    def extra_repr(self: Any) -> str:
        return "inplace=True" if self.inplace else ""

    doc = "``nn.%s(inplace=False)`` for torch < %s (%s). Remove when torch >= %s." % (cls_name, needs, pr, needs)
    cls = type(
        cls_name,
        (torch.nn.Module,),
        {"__init__": __init__, "forward": forward, "extra_repr": extra_repr, "__doc__": doc},
    )
    return _module_class(cls)


REGISTRY.builder("nn.SiLU")(
    lambda torch: _activation_module(torch, "SiLU", "silu", "https://github.com/pytorch/pytorch/pull/41034", "1.7")
)
REGISTRY.builder("nn.Mish")(
    lambda torch: _activation_module(torch, "Mish", "mish", "https://github.com/pytorch/pytorch/pull/58648", "1.9")
)
REGISTRY.builder("nn.Hardswish")(
    lambda torch: _activation_module(
        torch, "Hardswish", "hardswish", "https://github.com/pytorch/pytorch/pull/34747", "1.6"
    )
)


@REGISTRY.builder("nn.GELU")
def _build_gelu_module(torch: Any) -> Any:
    gelu = BACKPORTS["nn.functional.gelu"](torch)

    class GELU(torch.nn.Module):
        """``nn.GELU(approximate='none')`` for torch < 1.12 (the module itself for torch < 1.4;
        https://github.com/pytorch/pytorch/pull/61439). Remove when torch >= 1.12."""

        def __init__(self, approximate: str = "none") -> None:
            super().__init__()
            self.approximate = approximate

        def forward(self, input: Any) -> Any:
            return gelu(input, approximate=self.approximate)

        def extra_repr(self) -> str:
            return "approximate={}".format(repr(self.approximate))

    return _module_class(GELU)


for _name in ("Identity", "Flatten", "SiLU", "Mish", "Hardswish"):
    NN_MODULES_ADDED.backported("nn." + _name)


def _unflatten_infers(env: Any) -> bool:
    """Does nn.Unflatten take a -1 size (inferred)? Not in 1.7-1.8."""
    return bool(
        env.behaves("nn-unflatten-infer", lambda t: tuple(t.nn.Unflatten(0, (2, -1))(t.zeros(4)).shape) == (2, 2))
    )


@NN_MODULES_ADDED.adapter("nn.Unflatten")
def _unflatten(env: Any) -> Resolution:
    if env.has("nn.Unflatten") and _unflatten_infers(env):
        return native(env.get("nn.Unflatten"))
    return backport(BACKPORTS["nn.Unflatten"](env.torch), "adds a -1 size" if env.has("nn.Unflatten") else "")


@NN_MODULES_ADDED.adapter("nn.GELU")
def _gelu_module(env: Any) -> Resolution:
    if env.has("nn.GELU") and _gelu_has_approximate(env):
        return native(env.get("nn.GELU"))
    return backport(BACKPORTS["nn.GELU"](env.torch), "adds approximate=" if env.has("nn.GELU") else "")
