"""Tensor restores: truncating integer ``/``, uint8 masks, ``cuda(async=)``."""

from __future__ import annotations

import functools
from typing import Any, Callable, Tuple

from torchcompat.legacy.engine import in_scope, note
from torchcompat.legacy.face import WRAP, Restore, attach
from torchcompat.shifts.tensor import T_ASYNC_KWARG, T_INT_DIV_AS_INDEX, T_UINT8_MASK

__all__ = ["integral_check"]

# -- integer division --------------------------------------------------------------------------------


def integral_check(torch: Any) -> Callable[[Any], bool]:
    """``is_integral(x)``: an integer tensor (not bool) or a Python int (not bool)."""
    tensor, bool_dtype = torch.Tensor, getattr(torch, "bool", None)

    def is_integral(x: Any) -> bool:
        if x.__class__ is int:
            return True
        if not isinstance(x, tensor):
            return False
        dtype = x.dtype
        return not (dtype.is_floating_point or getattr(dtype, "is_complex", False) or dtype is bool_dtype)

    return is_integral


def _int_div_is_true(env: Any) -> bool:
    """Does integer ``/`` not truncate here: true division (1.7+) or an error (1.6)?"""

    def check(t: Any) -> bool:
        try:
            return bool((t.ones(1, dtype=t.long) / 2).is_floating_point())
        except RuntimeError:  # 1.6: "Integer division of tensors using div or / is no longer supported"
            return True

    return bool(env.behaves("legacy:int-div-true", check))


def _trunc_div(env: Any) -> Tuple[Callable[[Any, Any], Any], Callable[[Any, Any], Any]]:
    """(div, div_) that truncate integers, without the patched entry points: ``rounding_mode='trunc'``
    (1.8+), else fmod/floor_divide (1.6-1.7, where ``div`` raises or divides truly on integers)."""
    base = _base(env.torch)
    div, div_ = base.div, base.div_
    if env.accepts("div", "rounding_mode"):
        return (lambda a, b: div(a, b, rounding_mode="trunc")), (lambda a, b: div_(a, b, rounding_mode="trunc"))
    from torchcompat.shifts.tensor import int_floor_div  # exact integer division, no float

    torch = env.torch
    return (lambda a, b: int_floor_div(torch, a, b, False)), (lambda a, b: a.copy_(int_floor_div(torch, a, b, False)))


def _base(torch: Any) -> Any:
    """torch's C tensor base class, whose ``div``/``div_`` are never patched."""
    return torch.Tensor.__mro__[1]


_DIV_MESSAGE = "integer tensor / integer truncates (era %s); write a // b or torch.div(a, b, rounding_mode='trunc')"


def _div_wrapper(reflected: bool = False, inplace: bool = False) -> Callable[[Any, str, Any], Any]:
    def factory(env: Any, era: str, original: Any) -> Any:
        div, div_ = _trunc_div(env)
        message = _DIV_MESSAGE % era
        is_integral = integral_check(env.torch)

        @functools.wraps(original)
        def wrapper(self: Any, other: Any, *args: Any, **kwargs: Any) -> Any:
            if (
                not args
                and not kwargs
                and other.__class__ is not float
                and is_integral(self)
                and is_integral(other)
                and in_scope()  # third-party code gets torch's own `/`
            ):
                note("int-div", message, 1, operands=(other, self) if reflected else (self, other))
                if inplace:
                    return div_(self, other)
                if reflected:
                    return div(env.torch.as_tensor(other, dtype=self.dtype), self)
                return div(self, other)
            return original(self, other, *args, **kwargs)

        return wrapper

    return factory


def _torch_div(env: Any, era: str, original: Any) -> Any:
    div = _trunc_div(env)[0]
    message = _DIV_MESSAGE % era
    is_integral = integral_check(env.torch)

    @functools.wraps(original)
    def wrapper(input: Any, other: Any, *args: Any, **kwargs: Any) -> Any:
        if (
            not args
            and not kwargs
            and isinstance(input, env.torch.Tensor)
            and other.__class__ is not float
            and is_integral(input)
            and is_integral(other)
            and in_scope()
        ):
            note("int-div", message, 1, operands=(input, other))
            return div(input, other)
        return original(input, other, *args, **kwargs)

    return wrapper


for _target, _factory in (
    ("Tensor.__truediv__", _div_wrapper()),
    ("Tensor.__div__", _div_wrapper()),
    ("Tensor.__rtruediv__", _div_wrapper(reflected=True)),
    ("Tensor.__rdiv__", _div_wrapper(reflected=True)),
    ("Tensor.__itruediv__", _div_wrapper(inplace=True)),
    ("Tensor.__idiv__", _div_wrapper(inplace=True)),
    ("Tensor.div", _div_wrapper()),
    ("Tensor.div_", _div_wrapper(inplace=True)),
    ("div", _torch_div),
):
    attach(
        T_INT_DIV_AS_INDEX,
        Restore(
            _target,
            _factory,
            WRAP,
            name="int-div",
            needed=_int_div_is_true,
            until="1.5",
            summary="integer tensor / integer truncates, so n / 2 works as an index, range() bound or target",
        ),
    )

# -- uint8 masks -------------------------------------------------------------------------------------


def _uint8_rejected(path: str, call: Callable[[Any, Any, Any], Any]) -> Callable[[Any], bool]:
    def needed(env: Any) -> bool:
        def check(torch: Any) -> bool:
            if not hasattr(torch, "bool"):
                return False  # uint8 is the mask type of this torch
            x = torch.zeros(2)
            mask = torch.tensor([1, 0], dtype=torch.uint8)
            try:
                call(torch, x, mask)
            except RuntimeError:
                return True
            return False

        return bool(env.behaves("legacy:uint8-rejected:" + path, check))

    return needed


def _mask_wrapper(position: int) -> Callable[[Any, str, Any], Any]:
    def factory(env: Any, era: str, original: Any) -> Any:
        uint8 = env.torch.uint8

        @functools.wraps(original)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if len(args) > position:
                mask = args[position]
                if getattr(mask, "dtype", None) is uint8 and in_scope():
                    note("uint8-mask", "uint8 (ByteTensor) mask used as a bool mask; write mask.bool()", 1, (mask,))
                    args = args[:position] + (mask.bool(),) + args[position + 1 :]
            elif getattr(kwargs.get("mask"), "dtype", None) is uint8 and in_scope():
                note(
                    "uint8-mask", "uint8 (ByteTensor) mask used as a bool mask; write mask.bool()", 1, (kwargs["mask"],)
                )
                kwargs["mask"] = kwargs["mask"].bool()
            return original(*args, **kwargs)

        return wrapper

    return factory


_MASK_TARGETS = (
    ("Tensor.masked_fill", 1, lambda t, x, m: x.masked_fill(m, 1.0)),
    ("Tensor.masked_fill_", 1, lambda t, x, m: x.clone().masked_fill_(m, 1.0)),
    ("Tensor.masked_select", 1, lambda t, x, m: x.masked_select(m)),
    ("masked_select", 1, lambda t, x, m: t.masked_select(x, m)),
    ("Tensor.masked_scatter", 1, lambda t, x, m: x.masked_scatter(m, x)),
    ("Tensor.masked_scatter_", 1, lambda t, x, m: x.clone().masked_scatter_(m, x)),
    ("where", 0, lambda t, x, m: t.where(m, x, x)),
)
for _target, _position, _probe in _MASK_TARGETS:
    attach(
        T_UINT8_MASK,
        Restore(
            _target,
            _mask_wrapper(_position),
            WRAP,
            name="uint8-mask",
            needed=_uint8_rejected(_target, _probe),
            summary="uint8 (ByteTensor) masks where torch now demands bool",
        ),
    )

# -- cuda(async=) ------------------------------------------------------------------------------------


def _async_kwarg(env: Any, era: str, original: Any) -> Any:
    @functools.wraps(original)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        if "async" in kwargs:
            note("async", "async= is non_blocking= (async is a Python keyword since 3.7)", 1)
            kwargs.setdefault("non_blocking", kwargs.pop("async"))
        return original(self, *args, **kwargs)

    return wrapper


for _target in ("Tensor.cuda", "Tensor.copy_"):
    attach(
        T_ASYNC_KWARG,
        Restore(
            _target,
            _async_kwarg,
            WRAP,
            name="async",
            summary="x.cuda(**{'async': True}) / copy_(src, **{'async': True}) mean non_blocking=True",
        ),
    )
