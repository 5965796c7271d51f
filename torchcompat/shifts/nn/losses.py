"""The losses taking ``reduction=`` (0.4.1) on torch that only had ``size_average``/``reduce``."""

from __future__ import annotations

from typing import Any, Callable, Dict

from torchcompat.probe import MISSING
from torchcompat.registry import Resolution, UnsupportedError, backport, native, unavailable
from torchcompat.shifts.nn.records import (
    NN_LOSS_MODULES,
    NN_LOSS_NAMES,
    NN_REDUCTION_KWARG,
)

# -- losses: reduction= ----------------------------------------------------------------------------


def _legacy_reduction(reduction: str, has_reduce: bool) -> Dict[str, Any]:
    """reduction= as the size_average/reduce pair of torch <= 0.4.0 (https://github.com/pytorch/pytorch/pull/8018)."""
    if reduction == "mean":
        return {"size_average": True}
    if reduction == "sum":
        return {"size_average": False}
    if reduction == "none":
        if not has_reduce:
            raise UnsupportedError("reduction='none' needs torch >= 0.4 (this loss has no reduce= here)")
        return {"reduce": False}
    raise ValueError("{} is not a valid value for reduction".format(reduction))


def _loss_resolver(path: str) -> Callable[[Any], Resolution]:
    def resolve(env: Any) -> Resolution:
        obj = env.get(path)
        if obj is MISSING:
            return unavailable("1.0", "torch.%s is missing" % path)
        if env.accepts(path, "reduction"):
            return native(obj)
        if not env.accepts(path, "size_average"):
            return unavailable("0.4.1", "torch.%s takes no reduction argument here" % path)
        has_reduce = env.accepts(path, "reduce")
        if isinstance(obj, type):

            class Loss(obj):  # type: ignore[misc, valid-type]
                __doc__ = (
                    "torch.%s taking reduction= (https://github.com/pytorch/pytorch/pull/8018).\n"
                    "Remove when torch >= 0.4.1." % path
                )

                def __init__(self, *args: Any, reduction: str = "mean", **kwargs: Any) -> None:
                    if "size_average" not in kwargs and "reduce" not in kwargs:
                        kwargs.update(_legacy_reduction(reduction, has_reduce))
                    super().__init__(*args, **kwargs)
                    self.reduction = reduction

            Loss.__name__ = Loss.__qualname__ = obj.__name__
            return backport(Loss, "reduction= mapped to size_average/reduce")

        def loss(*args: Any, reduction: str = "mean", **kwargs: Any) -> Any:
            if "size_average" not in kwargs and "reduce" not in kwargs:
                kwargs.update(_legacy_reduction(reduction, has_reduce))
            return obj(*args, **kwargs)

        loss.__name__ = loss.__qualname__ = path.rsplit(".", 1)[-1]
        loss.__doc__ = (
            "torch.%s taking reduction= (https://github.com/pytorch/pytorch/pull/8018).\n"
            "Remove when torch >= 0.4.1." % path
        )
        return backport(loss, "reduction= mapped to size_average/reduce")

    return resolve


for _name in NN_LOSS_NAMES:
    NN_REDUCTION_KWARG.adapter("nn.functional." + _name)(_loss_resolver("nn.functional." + _name))
for _name in NN_LOSS_MODULES:
    NN_REDUCTION_KWARG.adapter("nn." + _name)(_loss_resolver("nn." + _name))
