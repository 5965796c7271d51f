"""``tc.nn.utils.clip_grad_norm_`` (tensor result, ``error_if_nonfinite``, ``foreach``), ``weight_norm`` and
``tc.register_full_backward_hook``."""

from __future__ import annotations

from typing import Any, Callable, Optional

from torchcompat.probe import MISSING
from torchcompat.registry import REGISTRY, Resolution, backport, native, unavailable
from torchcompat.shifts.nn.backports import (
    BACKPORTS,
)
from torchcompat.shifts.nn.records import (
    NN_BACKWARD_HOOK,
    NN_CLIP_GRAD_NORM_KWARGS,
    NN_WEIGHT_NORM,
)

# -- nn.utils --------------------------------------------------------------------------------------


@REGISTRY.builder("nn.utils.clip_grad_norm_")
def _build_clip_grad_norm(torch: Any) -> Callable[..., Any]:
    inf = float("inf")

    def clip_grad_norm_(
        parameters: Any,
        max_norm: float,
        norm_type: float = 2.0,
        error_if_nonfinite: bool = False,
        foreach: Optional[bool] = None,
    ) -> Any:
        """``clip_grad_norm_`` of torch 2.x for torch < 2.0: returns the total norm as a tensor, takes
        ``error_if_nonfinite`` (https://github.com/pytorch/pytorch/pull/53843) and ``foreach`` (a speed option,
        ignored here: same
        result). Remove when torch >= 2.0."""
        if isinstance(parameters, torch.Tensor):
            parameters = [parameters]
        grads = [p.grad for p in parameters if p.grad is not None]
        max_norm = float(max_norm)
        norm_type = float(norm_type)
        if not grads:
            return torch.tensor(0.0)
        device = grads[0].device
        if norm_type == inf:
            norms = [g.detach().abs().max().to(device) for g in grads]
            total = norms[0] if len(norms) == 1 else torch.max(torch.stack(norms))
        else:
            total = torch.norm(torch.stack([torch.norm(g.detach(), norm_type).to(device) for g in grads]), norm_type)
        if error_if_nonfinite and bool(torch.isnan(total) | torch.isinf(total)):
            raise RuntimeError(
                "The total norm of order {} for gradients from `parameters` is non-finite, so it cannot be "
                "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
                "`error_if_nonfinite=False`".format(norm_type)
            )
        coef = torch.clamp(max_norm / (total + 1e-6), max=1.0)
        for g in grads:
            g.detach().mul_(coef.to(g.device))
        return total

    return clip_grad_norm_


@NN_CLIP_GRAD_NORM_KWARGS.adapter("nn.utils.clip_grad_norm_")
def _clip_grad_norm(env: Any) -> Resolution:
    path = "nn.utils.clip_grad_norm_"
    if env.accepts(path, "foreach"):
        return native(env.get(path))
    if env.accepts(path, "error_if_nonfinite"):
        base = env.get(path)

        def clip_grad_norm_(
            parameters: Any,
            max_norm: float,
            norm_type: float = 2.0,
            error_if_nonfinite: bool = False,
            foreach: Optional[bool] = None,
        ) -> Any:
            """torch's ``clip_grad_norm_`` taking (and ignoring: same result) the ``foreach`` speed option
            of torch 2.0. Remove when torch >= 2.0."""
            return base(parameters, max_norm, norm_type, error_if_nonfinite)

        return backport(clip_grad_norm_, "drops foreach")
    if env.get(path) is MISSING and not env.has("nn.utils.clip_grad_norm"):
        return unavailable("0.2", "torch.nn.utils.clip_grad_norm_ is missing")
    return backport(BACKPORTS[path](env.torch), "tensor result, error_if_nonfinite")


@NN_WEIGHT_NORM.native_or("nn.utils.weight_norm", "nn.utils.parametrizations.weight_norm")
def _weight_norm(env: Any) -> Resolution:
    old = env.get("nn.utils.weight_norm")
    if old is not MISSING:
        return backport(
            old,
            "hook-based torch.nn.utils.weight_norm: parameters weight_g/weight_v instead of "
            "parametrizations.weight.original0/1; same weights",
        )
    return unavailable("0.2", "torch.nn.utils.weight_norm is missing")


@NN_BACKWARD_HOOK.adapter("register_full_backward_hook")
def _register_full_backward_hook(env: Any) -> Resolution:
    fn = env.get("nn.Module.register_full_backward_hook")
    if fn is not MISSING:
        # The unbound method: tc.register_full_backward_hook(module, hook) == module.register_full_backward_hook(hook)
        return native(fn)
    return unavailable(
        "1.8",
        "register_backward_hook is not a substitute (it sees only the last op's gradients of a composite "
        "module) and modules before 1.8 let no hook rewrite inputs or outputs to add the autograd boundaries",
    )
