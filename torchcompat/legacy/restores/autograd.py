"""Autograd restores: ``x.data[0]`` on 0-dim tensors, ``Variable(volatile=True)``, legacy
``autograd.Function`` instances, ``backward(retain_variables=)``."""

from __future__ import annotations

import copy
import functools
import inspect
import threading
import types
from typing import Any, Dict

from torchcompat.legacy.engine import in_scope, note
from torchcompat.legacy.face import WRAP, Restore, attach
from torchcompat.shifts.autograd import (
    AG_DATA_INDEX_0,
    AG_LEGACY_FUNCTION,
    AG_RETAIN_VARIABLES,
    AG_VARIABLE_WRAPPER,
    AG_VOLATILE,
)

# -- x.data[0] / x[0] on a 0-dim tensor ------------------------------------------------------------


def _index_0dim_fails(env: Any) -> bool:
    def check(torch: Any) -> bool:
        try:
            torch.zeros(()).__getitem__(0)
        except IndexError:
            return True
        return False

    return bool(env.behaves("legacy:index-0dim-fails", check))


def _getitem(env: Any, era: str, original: Any) -> Any:
    @functools.wraps(original)
    def __getitem__(self: Any, index: Any) -> Any:
        if index.__class__ is int and (index == 0 or index == -1) and self.dim() == 0 and in_scope():
            note("data-index-0", "x[0] on a 0-dim tensor gives x.item(), as in 0.4; write x.item()", 1, (self,))
            if self.requires_grad:
                return original(self, Ellipsis)  # keep the graph: the 0-dim tensor itself
            return self.item()
        return original(self, index)

    return __getitem__


attach(
    AG_DATA_INDEX_0,
    Restore(
        "Tensor.__getitem__",
        _getitem,
        WRAP,
        name="data-index-0",
        needed=_index_0dim_fails,
        summary="loss.data[0] / x[0] on a 0-dim tensor returns the Python number (0.4 behaviour)",
    ),
)

# -- Variable(x, volatile=True) ----------------------------------------------------------------------

_VOLATILE: Dict[int, Any] = {}
_VARIABLE: Dict[int, Any] = {}


def volatile_class(torch: Any) -> Any:
    """The tensor subclass standing for 0.3's volatile Variables: every op on it runs under
    ``no_grad`` and returns the subclass again, so nothing computed from it records a graph."""
    found = _VOLATILE.get(id(torch))
    if found is not None:
        return found

    disable = getattr(torch._C, "DisableTorchFunctionSubclass", None) or torch._C.DisableTorchFunction
    nowrap = getattr(torch.overrides, "get_default_nowrap_functions", set)()
    tensor_cls = torch.Tensor
    swap_lock = threading.Lock()

    def plainly(method: Any, t: Any, *args: Any, **kwargs: Any) -> Any:
        """``torch.Tensor.<method>`` of ``t`` as if ``t`` were a plain tensor. On a plain alias of it with its
        ``requires_grad``, ``.grad`` and attributes; or, when ``t`` has a ``grad_fn`` (no alias keeps one), on
        ``t`` itself with its class switched to ``torch.Tensor`` for the call."""
        with disable():  # reading t's state must not go through __torch_function__ (which wraps results)
            plain = None
            if t.grad_fn is None:
                plain = tensor_cls._make_subclass(tensor_cls, t, t.requires_grad)
                grad = t.grad
                if grad is not None:
                    plain.grad = grad
        if plain is not None:
            plain.__dict__.update(t.__dict__)
            return method(plain, *args, **kwargs)
        with swap_lock:
            t.__class__ = tensor_cls
            try:
                return method(t, *args, **kwargs)
            finally:
                t.__class__ = VolatileTensor

    def volatile_again(new: Any) -> Any:
        if isinstance(new, tensor_cls) and type(new) is tensor_cls:
            new.__class__ = VolatileTensor  # a new object no one else holds yet
        return new

    class VolatileTensor(torch.Tensor):
        """A tensor from ``Variable(x, volatile=True)`` (restored 0.3 meaning: no graph from it). It prints,
        formats and pickles as a plain tensor: the class is an implementation detail of the restore."""

        @classmethod
        def __torch_function__(cls, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
            own = _PLAIN.get(func)
            if own is not None and args and isinstance(args[0], cls):
                return getattr(args[0], own)(*args[1:], **(kwargs or {}))
            with torch.no_grad(), disable():
                ret = func(*args, **(kwargs or {}))
            if func in nowrap:
                return ret
            return _propagate(ret, cls)

        @property
        def volatile(self) -> bool:
            return True

        def __repr__(self, *args: Any, **kwargs: Any) -> str:
            return plainly(tensor_cls.__repr__, self, *args, **kwargs)

        def __format__(self, format_spec: str) -> str:
            return plainly(tensor_cls.__format__, self, format_spec)

        def __reduce_ex__(self, protocol: Any) -> Any:
            # pickled (torch.save) as the plain tensor it stands for: loads anywhere, under weights_only too
            return plainly(tensor_cls.__reduce_ex__, self, protocol)

        def __copy__(self) -> Any:
            return volatile_again(plainly(copy.copy, self))

        def __deepcopy__(self, memo: Dict[int, Any]) -> Any:
            if id(self) in memo:
                return memo[id(self)]

            def deepcopy(plain: Any, memo: Dict[int, Any]) -> Any:
                memo.setdefault(id(memo), []).append(plain)  # keep alive what memo holds the id of, as copy does
                return tensor_cls.__deepcopy__(plain, memo)

            new = volatile_again(plainly(deepcopy, self, memo))
            memo[id(self)] = new
            memo[id(memo)].append(self)
            return new

    _PLAIN = {
        getattr(tensor_cls, name): name
        for name in ("__repr__", "__format__", "__reduce_ex__", "__deepcopy__")
        if hasattr(tensor_cls, name)
    }

    def _propagate(ret: Any, cls: Any) -> Any:
        """Floating results stay volatile; integer/bool results (indices, masks) are plain tensors."""
        if isinstance(ret, tensor_cls):
            if ret.is_floating_point() and not isinstance(ret, cls):
                return ret.as_subclass(cls)
            return ret
        if isinstance(ret, (tuple, list)) and any(isinstance(r, tensor_cls) for r in ret):
            converted = [_propagate(r, cls) for r in ret]
            return type(ret)(*converted) if hasattr(ret, "_fields") else type(ret)(converted)
        return ret

    VolatileTensor.__qualname__ = "VolatileTensor"
    VolatileTensor.__module__ = "torch.autograd.variable"
    _VOLATILE[id(torch)] = VolatileTensor
    return VolatileTensor


def _has_subclass_dispatch(env: Any) -> bool:
    return env.has("Tensor.__torch_function__") and env.has("Tensor.as_subclass")


def _variable(env: Any, era: str, original: Any) -> Any:
    found = _VARIABLE.get(id(original))
    if found is not None:
        return found
    torch = env.torch
    volatile_cls = volatile_class(torch)

    def __new__(cls: Any, *args: Any, **kwargs: Any) -> Any:
        if len(args) > 2:
            volatile = bool(args[2])
            args = args[:2] + args[3:]
        else:
            volatile = bool(kwargs.pop("volatile", False))
        if not volatile:
            return original(*args, **kwargs)
        note(
            "volatile",
            "Variable(x, volatile=True): nothing computed from it records a graph (0.3); write `with torch.no_grad():`",
            1,
        )
        data = args[0] if args else kwargs.get("data")
        if isinstance(data, volatile_cls):
            return data
        return data.detach().as_subclass(volatile_cls)

    namespace = {
        "__new__": __new__,
        "__module__": original.__module__,
        "__doc__": original.__doc__,
        "__qualname__": getattr(original, "__qualname__", original.__name__),
    }
    restored = type(original)(original.__name__, (original,), namespace)
    _VARIABLE[id(original)] = restored
    return restored


for _target in ("autograd.Variable", "autograd.variable.Variable"):
    attach(
        AG_VOLATILE,
        Restore(
            _target,
            _variable,
            WRAP,
            name="volatile",
            needed=_has_subclass_dispatch,
            summary="Variable(x, volatile=True): no graph is recorded from x or anything computed from it (0.3)",
            until=None,  # 0.4 still took volatile= (warning, no effect): 0.4-era scripts pass it
        ),
    )

# -- type(h) == Variable -----------------------------------------------------------------------------
# In 0.3 every autograd value was a Variable, so ``type(h) == Variable`` (repackage_hidden in every 2017 language
# model) told a Variable from a tuple of them; Parameter subclassed Variable, so for it the test was False. Since 0.4
# the type of every tensor is torch.Tensor and the test is always False. Restored on Variable's metaclass, so that
# both ``type(t) == Variable`` and ``Variable == type(t)`` answer as in 0.3 (type.__eq__ gives NotImplemented for two
# distinct classes, and Python then asks the other operand's metaclass); isinstance is unchanged.


def _is_variable(cls: Any, original: Any) -> bool:
    return cls is original or _VARIABLE.get(id(original)) is cls


def _variable_compare(env: Any, era: str, original: Any) -> Any:
    torch = env.torch
    variable = torch.autograd.Variable
    if variable.__bases__ and _VARIABLE.get(id(variable.__bases__[0])) is variable:
        variable = variable.__bases__[0]  # the volatile restore's subclass: torch's own class is its base
    tensor_cls = torch.Tensor
    name = original.__name__

    def same(cls: Any, other: Any) -> bool:
        if not _is_variable(cls, variable):
            return False
        if other is tensor_cls or _is_variable(other, variable):
            return True
        return other is _VOLATILE.get(id(torch))

    if name == "__hash__":

        def __hash__(cls: Any) -> int:
            # equal classes hash alike: every Variable class hashes as torch.Tensor while restored
            return original(tensor_cls) if _is_variable(cls, variable) else original(cls)

        return __hash__

    equal = name == "__eq__"

    def compare(cls: Any, other: Any) -> Any:
        if cls is not other and same(cls, other) and in_scope(1):
            note(
                "variable-type",
                "type(x) == Variable is True for tensors (0.3); write isinstance(x, torch.Tensor)",
                1,
                operands=(cls, other),
            )
            return equal
        return original(cls, other)

    compare.__name__ = compare.__qualname__ = name
    return compare


for _target in ("__eq__", "__ne__", "__hash__"):
    attach(
        AG_VARIABLE_WRAPPER,  # the record of TC106 (type(x) == Variable -> isinstance), which removes the need
        Restore(
            "autograd.variable.VariableMeta." + _target,
            _variable_compare,
            WRAP,
            name="variable-type",
            until="0.4",
            rule="TC106",
            summary="type(t) == Variable is True for a tensor, False for a Parameter, as in 0.3",
        ),
    )

# -- legacy autograd.Function ------------------------------------------------------------------------


def _legacy_call_fails(env: Any) -> bool:
    def check(torch: Any) -> bool:
        class Probe(torch.autograd.Function):
            def forward(self, x: Any) -> Any:
                return x * 2

            def backward(self, g: Any) -> Any:
                return g * 2

        try:
            Probe()(torch.ones(1, requires_grad=True))
        except RuntimeError:
            return True
        return False

    return bool(env.behaves("legacy:function-call-fails", check))


class _LegacySelf:
    """What ``self`` is inside a legacy ``forward``/``backward``: the instance's attributes and methods,
    with ``save_for_backward``, ``saved_tensors``, ``needs_input_grad``, ``mark_dirty`` and
    ``mark_non_differentiable`` going to the new-style ``ctx``."""

    def __init__(self, inst: Any, ctx: Any) -> None:
        object.__setattr__(self, "_tc_inst", inst)
        object.__setattr__(self, "_tc_ctx", ctx)

    def __getattr__(self, name: str) -> Any:
        inst = object.__getattribute__(self, "_tc_inst")
        value = inspect.getattr_static(type(inst), name, None)
        if isinstance(value, types.FunctionType):
            return types.MethodType(value, self)
        return getattr(inst, name)

    def save_for_backward(self, *tensors: Any) -> None:
        self._tc_ctx.save_for_backward(*tensors)

    @property
    def saved_tensors(self) -> Any:
        return self._tc_ctx.saved_tensors

    saved_variables = saved_tensors

    @property
    def needs_input_grad(self) -> Any:
        return tuple(self._tc_ctx.needs_input_grad[1:])

    def mark_dirty(self, *tensors: Any) -> None:
        self._tc_ctx.mark_dirty(*tensors)

    def mark_non_differentiable(self, *tensors: Any) -> None:
        self._tc_ctx.mark_non_differentiable(*tensors)

    def mark_shared_storage(self, *pairs: Any) -> None:
        """0.3 API with no new-style equivalent (autograd tracks views itself): accepted and ignored."""


_BRIDGES: Dict[Any, Any] = {}


def _is_legacy(cls: Any, base: Any) -> bool:
    forward = inspect.getattr_static(cls, "forward", None)
    return isinstance(forward, types.FunctionType) and forward is not inspect.getattr_static(base, "forward", None)


def _bridge(torch: Any, cls: Any) -> Any:
    found = _BRIDGES.get(cls)
    if found is not None:
        return found

    class LegacyBridge(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, inst: Any, *inputs: Any) -> Any:
            proxy = _LegacySelf(inst, ctx)
            ctx._tc_proxy = proxy
            return cls.forward(proxy, *inputs)

        @staticmethod
        def backward(ctx: Any, *grads: Any) -> Any:
            result = cls.backward(ctx._tc_proxy, *grads)
            if not isinstance(result, tuple):
                result = (result,)
            return (None,) + result

    LegacyBridge.__name__ = LegacyBridge.__qualname__ = cls.__name__ + "(legacy)"
    _BRIDGES[cls] = LegacyBridge
    return LegacyBridge


def _function_call(env: Any, era: str, original: Any) -> Any:
    torch = env.torch
    base = torch.autograd.Function

    @functools.wraps(original)
    def __call__(self: Any, *args: Any, **kwargs: Any) -> Any:
        cls = type(self)
        if kwargs or not _is_legacy(cls, base):
            return original(self, *args, **kwargs)
        note(
            "legacy-function",
            "%s()(x): legacy autograd.Function instance called (0.3 style); use @staticmethod "
            "forward(ctx, ...)/backward(ctx, ...) and %s.apply(x)" % (cls.__name__, cls.__name__),
            1,
        )
        return _bridge(torch, cls).apply(self, *args)

    return __call__


attach(
    AG_LEGACY_FUNCTION,
    Restore(
        "autograd.Function.__call__",
        _function_call,
        WRAP,
        name="legacy-function",
        needed=_legacy_call_fails,
        summary="instances of autograd.Function subclasses with non-static forward/backward are callable",
    ),
)


def _function_init(env: Any, era: str, original: Any) -> Any:
    base = env.torch.autograd.Function

    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if _is_legacy(type(self), base):
            return None  # legacy subclasses are meant to be instantiated: no "should not be instantiated" warning
        return original(self, *args, **kwargs)

    return __init__


def _init_warns(env: Any) -> bool:
    fn = env.get("autograd.Function.__init__")
    code = getattr(fn, "__code__", None)
    return bool(
        code is not None and any(isinstance(c, str) and "should not be instantiated" in c for c in code.co_consts)
    )


attach(
    AG_LEGACY_FUNCTION,
    Restore(
        "autograd.Function.__init__",
        _function_init,
        WRAP,
        name="legacy-function-init",
        needed=lambda env: _init_warns(env) and _legacy_call_fails(env),
        summary="instantiating a legacy autograd.Function subclass does not warn",
    ),
)

# -- backward(retain_variables=) ---------------------------------------------------------------------


def _backward(env: Any, era: str, original: Any) -> Any:
    @functools.wraps(original)
    def backward(self: Any, *args: Any, **kwargs: Any) -> Any:
        if "retain_variables" in kwargs:
            note("retain-variables", "backward(retain_variables=) is backward(retain_graph=)", 1)
            value = kwargs.pop("retain_variables")
            kwargs.setdefault("retain_graph", value)
        return original(self, *args, **kwargs)

    return backward


attach(
    AG_RETAIN_VARIABLES,
    Restore(
        "Tensor.backward",
        _backward,
        WRAP,
        name="retain-variables",
        needed=lambda env: not env.accepts("Tensor.backward", "retain_variables"),
        summary="backward(retain_variables=True) means retain_graph=True",
        until=None,  # 0.4 still took retain_variables= (deprecated): 0.4-era scripts pass it
    ),
)

__all__ = ["volatile_class"]
