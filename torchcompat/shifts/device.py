"""Device selection: the best available accelerator.

Records generated from the shift catalogue; adapters, probes and notes are added beside them."""

from __future__ import annotations

from typing import Any, Callable

from torchcompat.probe import MISSING
from torchcompat.registry import Resolution, backport, declare

shift = declare("device")

DEVICE_ACCELERATOR = shift(
    "device-accelerator",
    "if torch.cuda.is_available(): ... elif torch.backends.mps.is_available(): ... -> torch.accelerator",
    old="`torch.device('cuda' if torch.cuda.is_available() else 'cpu')` (and the mps / xpu branches)",
    new="`torch.accelerator.current_accelerator()` after `torch.accelerator.is_available()`",
    added="2.6",
    link="https://pytorch.org/docs/stable/accelerator.html",
    strategy="backport",
    probe="accelerator.current_accelerator",
    notes="added: 2.6 (`torch.accelerator`); 2.7: `current_accelerator(check_available=)`. "
    "`tc.accelerator()` returns the best available device on every release, cpu when there is none.",
    kind="spelling",
)


class _Accelerator:
    """``tc.accelerator()`` before torch 2.6: the best available ``torch.device`` (cuda, mps, xpu, else cpu),
    read without initialising CUDA. Backport of ``torch.accelerator.current_accelerator()``; remove when
    torch >= 2.6 (https://pytorch.org/docs/stable/accelerator.html). From 2.6 the adapter is
    :func:`_accelerator_function`, whose attributes are ``torch.accelerator``'s."""

    def __init__(self, env: Any) -> None:
        self._env = env
        self._device = env.torch.device

    def __call__(self) -> Any:
        return self._device(self._best_type())

    def _best_type(self) -> str:
        env = self._env
        # torch.cuda.is_available() asks the driver for a device count; it never initialises CUDA.
        if env.has("cuda.is_available") and env.torch.cuda.is_available():
            return "cuda"
        for kind in ("backends.mps", "xpu"):
            is_available = env.get(kind + ".is_available")
            if is_available is not MISSING and is_available():
                return kind.rsplit(".", 1)[-1]
        return "cpu"

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(
            "tc.accelerator has no attribute %r (torch.accelerator needs torch >= 2.6; this is torch %s)"
            % (name, self._env.version)
        )

    def __repr__(self) -> str:
        return "<torchcompat accelerator() on torch %s>" % self._env.version


def _accelerator_function(env: Any) -> Callable[[], Any]:
    """torch >= 2.6: a plain function (a call costs one frame, not an instance ``__call__``) carrying
    ``torch.accelerator``'s public names as attributes, so ``tc.accelerator.device_count()`` still works."""
    module = env.get("accelerator")
    device, is_available, current = env.torch.device, module.is_available, module.current_accelerator

    def accelerator() -> Any:
        """The best available ``torch.device``: ``torch.accelerator.current_accelerator()`` when
        ``torch.accelerator.is_available()``, else cpu (https://pytorch.org/docs/stable/accelerator.html)."""
        return device(current().type if is_available() else "cpu")

    for name in dir(module):
        if not name.startswith("_"):
            setattr(accelerator, name, getattr(module, name))
    return accelerator


@DEVICE_ACCELERATOR.adapter("accelerator")
def _accelerator(env: Any) -> Resolution:
    if env.has("accelerator.current_accelerator") and env.has("accelerator.is_available"):
        return backport(_accelerator_function(env), "torch.accelerator.current_accelerator() or cpu")
    return backport(_Accelerator(env), "cuda / mps / xpu probes")
