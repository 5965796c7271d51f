"""FFT restores: ``torch.rfft``, ``irfft``, ``fft``, ``ifft`` with the pre-1.8 ``signal_ndim`` /
``normalized`` / ``onesided`` real-pair semantics, reusing the adapters ``torchcompat.fft.*_legacy``
of :mod:`torchcompat.shifts.fft`."""

from __future__ import annotations

import functools
import types
from typing import Any, Callable

from torchcompat.legacy.engine import note
from torchcompat.legacy.face import ADD, WRAP, Restore, attach
from torchcompat.shifts.fft import FFT_LEGACY_FUNCTIONS


def _adapter(env: Any, name: str) -> Any:
    """``torchcompat.fft.<name>_legacy`` on this torch, or None while that adapter is not declared."""
    from torchcompat.registry import REGISTRY, Binding

    try:
        REGISTRY.adapter("fft.%s_legacy" % name)
    except KeyError:
        return None
    return Binding(env.torch).resolve("fft.%s_legacy" % name)


def _function(name: str) -> Callable[[Any, str, Any], Any]:
    def factory(env: Any, era: str, original: Any) -> Any:
        impl = _adapter(env, name)
        if impl is None:
            return None

        @functools.wraps(impl)
        def legacy(*args: Any, **kwargs: Any) -> Any:
            note(
                name,
                "torch.%s(x, signal_ndim) (real pairs) is restored; use torch.fft.%s* and "
                "torch.view_as_real" % (name, name),
                1,
            )
            return impl(*args, **kwargs)

        legacy.__name__ = legacy.__qualname__ = name
        legacy.__module__ = "torch"
        return legacy

    return factory


for _name in ("rfft", "irfft", "ifft"):
    attach(
        FFT_LEGACY_FUNCTIONS,
        Restore(
            _name, _function(_name), ADD, name=_name, summary="torch.%s(x, signal_ndim, normalized=, onesided=)" % _name
        ),
    )


class _CallableFFTModule(types.ModuleType):
    """``torch.fft`` made callable: ``torch.fft(x, signal_ndim)`` is the old function, ``torch.fft.fft``
    stays the module's."""

    _tc_legacy: Any = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return type(self)._tc_legacy(*args, **kwargs)


def _fft_module_class(env: Any, era: str, original: Any) -> Any:
    """The module ``torch.fft`` gets ``__class__`` of a callable subclass (undone by unpatch)."""
    impl = _function("fft")(env, era, None)
    if impl is None or not isinstance(original, type) or original is not types.ModuleType:
        return None
    return type("fft_module", (_CallableFFTModule,), {"_tc_legacy": staticmethod(impl), "__module__": __name__})


def _fft_is_module(env: Any) -> bool:
    return isinstance(env.get("fft"), types.ModuleType) and not callable(env.get("fft"))


attach(
    FFT_LEGACY_FUNCTIONS,
    Restore(
        "fft.__class__",
        _fft_module_class,
        WRAP,
        name="fft",
        needed=_fft_is_module,
        summary="torch.fft(x, signal_ndim) callable again beside torch.fft.fft",
    ),
)
