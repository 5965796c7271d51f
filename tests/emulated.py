"""EMULATED old torch surfaces, for what PyPI cannot install (no wheel older than 1.0).

These are small stand-ins that reproduce the *surface* adapters decide on, not torch itself:

- :func:`torch03` emulates torch 0.3: tensors are NumPy-backed, ``Variable`` is a separate wrapper
  with ``volatile`` that propagates (anything computed from a volatile Variable is volatile and
  records no graph), there is no ``no_grad``/``set_grad_enabled``/``is_grad_enabled``, no
  ``torch.tensor``, no ``torch.device``, no ``Tensor.item``; indexing a 1-D tensor gives a Python number.
- :func:`torch04` emulates torch 0.4 on top of the installed torch: the 0.4 names are the real
  objects, everything added later (inference_mode, floor_divide, linalg, ``div(rounding_mode=)``,
  ``meshgrid(indexing=)``, ``zero_grad(set_to_none=)`` ...) is hidden.
"""

from __future__ import annotations

import types
from typing import Any

import numpy


def torch03() -> types.ModuleType:
    """A new emulated torch 0.3 module (EMULATED: see the module docstring)."""
    torch = types.ModuleType("torch03_emulated")
    torch.__version__ = "0.3.1.post2"
    torch.__torchcompat_emulated__ = True

    class Tensor:
        _np_dtype: Any = numpy.float32

        def __init__(self, *sizes: Any) -> None:
            if len(sizes) == 1 and isinstance(sizes[0], (list, tuple)):
                self._a = numpy.array(sizes[0], dtype=self._np_dtype)
            else:
                self._a = numpy.zeros(sizes, dtype=self._np_dtype)

        @classmethod
        def _wrap(cls, arr: Any) -> Any:
            kind = {"f": FloatTensor, "i": LongTensor, "u": ByteTensor}[arr.dtype.kind]
            if arr.dtype == numpy.float64:
                kind = DoubleTensor
            out = kind.__new__(kind)
            out._a = arr
            return out

        def numel(self) -> int:
            return int(self._a.size)

        def dim(self) -> int:
            return self._a.ndim

        def size(self) -> Any:
            return self._a.shape

        def view(self, *shape: Any) -> Any:
            return Tensor._wrap(self._a.reshape(shape))

        def contiguous(self) -> Any:
            return self

        def clone(self) -> Any:
            return Tensor._wrap(self._a.copy())

        def cpu(self) -> Any:
            return self

        def numpy(self) -> Any:
            return self._a

        def type(self, t: Any = None) -> Any:
            if t is None:
                return "torch." + type(self).__name__
            return Tensor._wrap(self._a.astype(t._np_dtype))

        def byte(self) -> Any:
            return Tensor._wrap(self._a.astype(numpy.uint8))

        def sum(self) -> Any:
            return self._a.sum().item()  # 0.3: a tensor's sum is a Python number

        def __getitem__(self, idx: Any) -> Any:
            out = self._a[idx]
            return out.item() if numpy.ndim(out) == 0 else Tensor._wrap(out)

        def __mul__(self, other: Any) -> Any:
            return Tensor._wrap(self._a * (other._a if isinstance(other, Tensor) else other))

        def __add__(self, other: Any) -> Any:
            return Tensor._wrap(self._a + (other._a if isinstance(other, Tensor) else other))

    class FloatTensor(Tensor):
        _np_dtype = numpy.float32

    class DoubleTensor(Tensor):
        _np_dtype = numpy.float64

    class LongTensor(Tensor):
        _np_dtype = numpy.int64

    class ByteTensor(Tensor):
        _np_dtype = numpy.uint8

    class Variable:
        """0.3 Variable: wraps a tensor; ``volatile`` propagates and wins over ``requires_grad``."""

        def __init__(self, data: Any, requires_grad: bool = False, volatile: bool = False) -> None:
            if not isinstance(data, Tensor):
                raise TypeError("Variable data has to be a tensor, but got %s" % type(data).__name__)
            self.data = data
            self.volatile = bool(volatile)
            self.requires_grad = bool(requires_grad) and not self.volatile
            self.grad_fn = None

        def _derive(self, data: Any, *others: Any) -> Any:
            inputs = (self,) + tuple(o for o in others if isinstance(o, Variable))
            volatile = any(v.volatile for v in inputs)
            out = Variable(data, volatile=volatile)
            out.requires_grad = not volatile and any(v.requires_grad for v in inputs)
            out.grad_fn = "GraphNode" if out.requires_grad else None
            return out

        def __mul__(self, other: Any) -> Any:
            return self._derive(self.data * (other.data if isinstance(other, Variable) else other), other)

        def __add__(self, other: Any) -> Any:
            return self._derive(self.data + (other.data if isinstance(other, Variable) else other), other)

        def sum(self) -> Any:
            return self._derive(Tensor._wrap(numpy.array([self.data._a.sum()], dtype=self.data._a.dtype)))

        def __getitem__(self, idx: Any) -> Any:
            out = self.data._a[idx]
            return self._derive(Tensor._wrap(numpy.atleast_1d(out)))

        def numel(self) -> int:
            return self.data.numel()

        def cpu(self) -> Any:
            return self

        def numpy(self) -> Any:
            raise RuntimeError("Can't call numpy() on Variable; use .data.numpy() instead (0.3)")

    def from_numpy(arr: Any) -> Any:
        return Tensor._wrap(arr)

    autograd = types.ModuleType("torch03_emulated.autograd")
    autograd.Variable = Variable
    torch.autograd = autograd
    torch.Tensor = Tensor
    torch.FloatTensor = FloatTensor
    torch.DoubleTensor = DoubleTensor
    torch.LongTensor = LongTensor
    torch.ByteTensor = ByteTensor
    torch.from_numpy = from_numpy
    return torch


# Names added after 0.4.1 that torch04() hides.
_HIDDEN_AFTER_04 = frozenset(
    {
        "inference_mode",
        "floor_divide",
        "true_divide",
        "linalg",
        "fft",
        "bool",
        "special",
        "func",
        "vmap",
        "compile",
        "amp",
        "outer",
        "view_as_real",
        "view_as_complex",
        "accelerator",
        "use_deterministic_algorithms",
    }
)


def _has_rounding_mode(real: Any) -> bool:
    return "rounding_mode" in (real.div.__doc__ or "")


def _has_indexing(real: Any) -> bool:
    return "indexing" in (real.meshgrid.__doc__ or "")


def torch04() -> types.ModuleType:
    """A new emulated torch 0.4 module over the installed torch (EMULATED: see the module docstring)."""
    import torch as real

    class Torch04(types.ModuleType):
        def __getattr__(self, name: str) -> Any:
            if name in _HIDDEN_AFTER_04:
                raise AttributeError(name)
            return getattr(real, name)

    torch = Torch04("torch04_emulated")
    torch.__version__ = "0.4.1"
    torch.__torchcompat_emulated__ = True

    def div(input: Any, other: Any, out: Any = None) -> Any:
        """0.4's div: no rounding_mode; integers truncate (as 0.4–1.4 did)."""
        other_float = isinstance(other, float) or (isinstance(other, real.Tensor) and other.is_floating_point())
        if not input.is_floating_point() and not other_float:
            if _has_rounding_mode(real):
                return real.div(input, other, rounding_mode="trunc")
            if hasattr(real, "floor_divide"):  # 1.5-1.7: truncates, like 0.4's div on integers
                return real.floor_divide(input, other)
        return real.div(input, other)  # torch < 1.5 truncates integers itself

    def meshgrid(*tensors: Any) -> Any:
        """0.4's meshgrid: "ij" only, no indexing keyword."""
        return real.meshgrid(*tensors, indexing="ij") if _has_indexing(real) else real.meshgrid(*tensors)

    class Optimizer04Mixin:
        def zero_grad(self) -> None:
            """0.4's zero_grad: zeros, no set_to_none."""
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        p.grad.detach_()
                        p.grad.zero_()

    optim = types.ModuleType("torch04_emulated.optim")
    optim.Optimizer = type("Optimizer", (Optimizer04Mixin, real.optim.Optimizer), {})
    optim.SGD = type("SGD", (Optimizer04Mixin, real.optim.SGD), {})

    torch.div = div
    torch.meshgrid = meshgrid
    torch.optim = optim
    return torch
