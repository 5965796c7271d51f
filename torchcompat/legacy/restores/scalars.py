"""0.3 "scalars" (era 0.3 only): 0.3 had no 0-dim tensors, so a loss, a reduction or ``v[i]`` of a 1-D Variable had
shape ``(1,)``. Since 0.4 they are 0-dim, and 0.3 code raises where it relied on the old shape. Each restore here
treats the 0-dim value as ``(1,)`` exactly where today's torch (or NumPy) raises, for the project's own code
(:func:`torchcompat.legacy.engine.in_scope`); every other input goes to torch's own object unchanged.

- ``torch.cat`` / ``torch.stack`` of a list holding 0-dim tensors (a CRF's forward algorithm collecting
  ``log_sum_exp`` values): the 0-dim operands act as ``(1,)`` when torch refuses the call;
- ``F.cross_entropy`` / ``F.nll_loss`` (and ``nn.CrossEntropyLoss`` / ``NLLLoss``, which call them) with a batch-1
  input and a 0-dim class target: the target acts as ``(1,)``;
- ``loss.data.numpy()[0]``: a 0-dim tensor's array accepts ``[0]`` / ``[-1]`` (the one element, as 0.3's ``(1,)``
  array gave it) and behaves as a plain 0-d array otherwise;
- ``len(x)`` / ``iter(x)`` of a 0-dim tensor: 1, and the tensor itself once (0.3's torch/autograd/variable.py:
  ``__len__`` was ``len(self.data)``, ``__iter__`` yielded ``self[i]``, itself of shape ``(1,)``).

Evidence for the shapes: the 0.4.0 migration guide ("Support for 0-dimensional (scalar) Tensors": indexing a Variable
vector, and ``variable.sum()``, gave "a vector of size (1,)").
"""

from __future__ import annotations

import functools
from typing import Any, Dict

from torchcompat.legacy.engine import in_scope, note
from torchcompat.legacy.face import WRAP, Restore, attach
from torchcompat.shifts.autograd import AG_SCALAR_ONE_ELEMENT

__all__ = ["one_element_array_class"]

#: The scalars are 0.3's only: 0.4 already had 0-dim tensors.
_UNTIL = "0.4"


def _zero_dim(torch: Any, x: Any) -> bool:
    return isinstance(x, torch.Tensor) and x.dim() == 0


# -- torch.cat / torch.stack -------------------------------------------------------------------------


def _joins_refuse_zero_dim(env: Any) -> bool:
    def check(torch: Any) -> bool:
        try:
            torch.cat([torch.zeros(()), torch.zeros(())])
        except RuntimeError:
            return True
        return False

    return bool(env.behaves("legacy:cat-zero-dim-fails", check))


def _join(env: Any, era: str, original: Any) -> Any:
    torch = env.torch
    name = getattr(original, "__name__", "cat")
    message = (
        "torch.%s of 0-dim tensors: they act as shape (1,), as 0.3's one-element results did; "
        "write x.view(1) (or torch.stack for a list of scalars)" % name
    )

    @functools.wraps(original)
    def wrapper(tensors: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return original(tensors, *args, **kwargs)
        except RuntimeError as error:
            if not (tensors.__class__ in (list, tuple) and any(_zero_dim(torch, t) for t in tensors)):
                raise
            if not in_scope(1):
                raise
            ones = [t.view(1) if _zero_dim(torch, t) else t for t in tensors]
            try:
                result = original(ones, *args, **kwargs)
            except RuntimeError:  # 0.3 refused these shapes too: torch's own error
                raise error from None
            note("scalar-cat", message, 1, operands=tuple(tensors))
            return result

    return wrapper


for _target in ("cat", "stack"):
    attach(
        AG_SCALAR_ONE_ELEMENT,
        Restore(
            _target,
            _join,
            WRAP,
            name="scalar-cat",
            needed=_joins_refuse_zero_dim,
            until=_UNTIL,
            rule=None,
            summary="torch.cat / stack: 0-dim operands act as (1,) where torch refuses them (0.3 scalars)",
        ),
    )

# -- classification losses with a 0-dim target ---------------------------------------------------------


def _batch1_target_fails(env: Any) -> bool:
    def check(torch: Any) -> bool:
        try:
            torch.nn.functional.nll_loss(torch.zeros(1, 2), torch.zeros((), dtype=torch.long))
        except (ValueError, RuntimeError, IndexError):
            return True
        return False

    return bool(env.behaves("legacy:nll-0dim-target-fails", check))


def _loss(env: Any, era: str, original: Any) -> Any:
    torch = env.torch
    name = getattr(original, "__name__", "nll_loss")
    message = (
        "F.%s with a batch-1 input and a 0-dim target: the target acts as shape (1,), as 0.3's one-element "
        "labels did; write target.view(1)" % name
    )

    @functools.wraps(original)
    def wrapper(input: Any, target: Any, *args: Any, **kwargs: Any) -> Any:
        if (
            _zero_dim(torch, target)
            and isinstance(input, torch.Tensor)
            and input.dim() == 2
            and input.shape[0] == 1
            and in_scope(1)
        ):
            note("scalar-target", message, 1, operands=(input, target))
            target = target.view(1)
        return original(input, target, *args, **kwargs)

    return wrapper


for _target in ("nn.functional.cross_entropy", "nn.functional.nll_loss"):
    attach(
        AG_SCALAR_ONE_ELEMENT,
        Restore(
            _target,
            _loss,
            WRAP,
            name="scalar-target",
            needed=_batch1_target_fails,
            until=_UNTIL,
            rule=None,
            summary="cross_entropy / nll_loss (and their modules): a 0-dim target with a batch-1 input acts as (1,)",
        ),
    )

# -- loss.data.numpy()[0] ----------------------------------------------------------------------------

_ARRAY_CLASS: Dict[str, Any] = {}


def one_element_array_class() -> Any:
    """The ``numpy.ndarray`` subclass of a 0-dim tensor's ``.numpy()`` under era 0.3: ``a[0]`` and ``a[-1]`` give
    the element (0.3's ``(1,)`` array did); everything else is a plain 0-d array's behaviour: NumPy operations give
    what they give for a plain one (a NumPy scalar for a ufunc), it prints and pickles as a plain array."""
    found = _ARRAY_CLASS.get("cls")
    if found is not None:
        return found
    import numpy as np

    base = np.ndarray

    class OneElementArray(base):  # type: ignore[misc,valid-type]
        """A 0-d array that also answers ``[0]`` / ``[-1]`` (restored 0.3 behaviour, see torchcompat.legacy)."""

        def __getitem__(self, index: Any) -> Any:
            if index.__class__ is int and (index == 0 or index == -1) and self.ndim == 0:
                note(
                    "scalar-numpy",
                    "x.numpy()[0] of a 0-dim tensor gives its element (0.3); write x.item()",
                    1,
                    operands=(self, index),
                )
                return base.__getitem__(self, ())
            return base.__getitem__(self, index)

        def __array_wrap__(self, array: Any, context: Any = None, return_scalar: bool = False) -> Any:
            plain = array.view(base) if isinstance(array, base) else array
            if isinstance(plain, base) and plain.ndim == 0:
                return plain[()]  # what a ufunc gives for a plain 0-d array: a NumPy scalar
            return plain

        def __repr__(self) -> str:
            return repr(self.view(base))

        def __str__(self) -> str:
            return str(self.view(base))

        def __reduce__(self) -> Any:
            return self.view(base).__reduce__()

        def __reduce_ex__(self, protocol: Any) -> Any:
            return self.view(base).__reduce_ex__(protocol)

    OneElementArray.__module__ = __name__
    _ARRAY_CLASS["cls"] = OneElementArray
    return OneElementArray


def _numpy_available(env: Any) -> bool:
    def check(torch: Any) -> bool:
        try:
            torch.zeros(()).numpy()
        except Exception:  # no NumPy (torch raises RuntimeError "Numpy is not available")
            return False
        return True

    return bool(env.behaves("legacy:numpy-available", check))


def _numpy(env: Any, era: str, original: Any) -> Any:
    cls = one_element_array_class()

    @functools.wraps(original)
    def numpy(self: Any, *args: Any, **kwargs: Any) -> Any:
        array = original(self, *args, **kwargs)
        if array.ndim == 0 and in_scope(1):
            return array.view(cls)
        return array

    return numpy


attach(
    AG_SCALAR_ONE_ELEMENT,
    Restore(
        "Tensor.numpy",
        _numpy,
        WRAP,
        name="scalar-numpy",
        needed=_numpy_available,
        until=_UNTIL,
        rule=None,
        summary="x.numpy()[0] on a 0-dim tensor gives its element, as 0.3's one-element array did",
    ),
)

# -- len() / iteration -------------------------------------------------------------------------------


def _sized(env: Any, era: str, original: Any) -> Any:
    torch = env.torch
    iterating = original.__name__ == "__iter__"

    @functools.wraps(original)
    def wrapper(self: Any) -> Any:
        try:
            return original(self)
        except TypeError:
            if not (_zero_dim(torch, self) and in_scope(1)):
                raise
        note(
            "scalar-len",
            "len() / iteration of a 0-dim tensor: one element, itself (0.3's shape (1,)); write x.view(1)",
            1,
            operands=(self,),
        )
        return iter((self,)) if iterating else 1

    return wrapper


for _target in ("Tensor.__len__", "Tensor.__iter__"):
    attach(
        AG_SCALAR_ONE_ELEMENT,
        Restore(
            _target,
            _sized,
            WRAP,
            name="scalar-len",
            until=_UNTIL,
            rule=None,
            summary="len() of / iteration over a 0-dim tensor: 1 / the tensor once, as for 0.3's (1,) results",
        ),
    )
