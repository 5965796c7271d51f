"""Mixed precision and CUDA-setting shifts: torch.cuda.amp -> torch.amp, TF32, memory names.

Records generated from the shift catalogue; adapters, probes and notes are added beside them."""

from __future__ import annotations

import functools
import warnings
from typing import Any, Callable, Dict, List, Optional

from torchcompat.probe import MISSING
from torchcompat.registry import Resolution, backport, declare

shift = declare("amp")

AMP_CUDA_AUTOCAST = shift(
    "amp-cuda-autocast",
    "torch.cuda.amp.autocast(enabled=, dtype=) → torch.amp.autocast('cuda', ...)",
    old="`torch.cuda.amp.autocast(enabled=, dtype=)`",
    new="`torch.amp.autocast('cuda', ...)` / `torch.autocast('cuda', ...)`",
    added="1.10",
    deprecated="2.4",
    link="https://pytorch.org/docs/stable/amp.html",
    strategy="alias",
    probe="autocast",
    notes="added: 1.10 (`torch.autocast`); deprecated: 2.4 (FutureWarning). How common: VH (12/12)",
    kind="spelling",
)

AMP_CPU_AUTOCAST = shift(
    "amp-cpu-autocast",
    "torch.cpu.amp.autocast() → torch.amp.autocast('cpu')",
    old="`torch.cpu.amp.autocast()`",
    new="`torch.amp.autocast('cpu')`",
    added="1.10",
    deprecated="2.4",
    strategy="alias",
    notes="How common: ns (M)",
    kind="spelling",
)

AMP_GRADSCALER = shift(
    "amp-gradscaler",
    "torch.cuda.amp.GradScaler() → torch.amp.GradScaler('cuda')",
    old="`torch.cuda.amp.GradScaler()`; private `from torch.cuda.amp.grad_scaler import OptState, _refresh_per_optimizer_state`",
    new="`torch.amp.GradScaler('cuda')` / `torch.GradScaler('cuda')`",
    added="2.3",
    deprecated="2.4",
    removed="2.3",
    strategy="alias",
    notes="deprecated: 2.4 (FutureWarning); removed: private helpers moved in 2.3 (ImportError, hivemind#610). How common: H (5 repos in one query: nnUNet, hivemind, ultralytics, tabicl, ColossalAI)",
    kind="spelling",
)

AMP_CUSTOM_FWD = shift(
    "amp-custom-fwd",
    "@torch.cuda.amp.custom_fwd(cast_inputs=...) → @torch.amp.custom_fwd(device_type='cuda', ...)",
    old="`@torch.cuda.amp.custom_fwd(cast_inputs=...)`, `custom_bwd`",
    new="`@torch.amp.custom_fwd(device_type='cuda', ...)`",
    added="2.4",
    deprecated="2.4",
    strategy="alias",
    notes="Silent change: — (migrated code hits AttributeError on <2.4). How common: ns (M)",
    kind="spelling",
)

CUDA_TF32_DEFAULT = shift(
    "cuda-tf32-default",
    "TF32 matmul default flipped to off (1.12) → set allow_tf32 / float32_matmul_precision explicitly",
    old="Ampere+ fp32 matmul speed/accuracy that relied on TF32 being on by default",
    new="set `torch.backends.cuda.matmul.allow_tf32` or `torch.set_float32_matmul_precision('high')` explicitly",
    added="1.7",
    removed="1.12",
    strategy="warn-only",
    notes="added: 1.7 (TF32 on by default); 1.12 (`set_float32_matmul_precision`); removed: 1.12: matmul default flipped to False (cuDNN conv stays True). Silent change: YES: speed drop / precision change with no error. How common: M (5)",
    kind="meaning",
)

CUDA_TF32_API = shift(
    "cuda-tf32-api",
    "torch.backends.cuda.matmul.allow_tf32 = True → torch.backends.cuda.matmul.fp32_precision = 'tf32'",
    old="`torch.backends.cuda.matmul.allow_tf32 = True`, `torch.backends.cudnn.allow_tf32`",
    new="`torch.backends.cuda.matmul.fp32_precision = 'tf32'` (or `'ieee'`), `torch.backends.cudnn.conv.fp32_precision`",
    added="2.9",
    deprecated="2.9",
    strategy="alias",
    notes='deprecated: 2.9 (UserWarning "will be deprecated after Pytorch 2.9"; also fired by `get_float32_matmul_precision`). How common: H (9/12)',
    kind="spelling",
)

CUDA_MEMORY_CACHED = shift(
    "cuda-memory-cached",
    "torch.cuda.memory_cached() → memory_reserved()",
    old="`torch.cuda.memory_cached()`, `max_memory_cached()`",
    new="`memory_reserved()`, `max_memory_reserved()`",
    added="1.4",
    deprecated="1.4",
    strategy="alias",
    verified=False,
    probe="cuda.memory_reserved",
    notes="How common: ns (L)",
    kind="spelling",
)
CUDA_MEMORY_CACHED.moved(
    "torch.cuda.memory_cached",
    "torch.cuda.memory_reserved",
    code="TC860",
    adapter="cuda.memory_reserved",
    old_added="0.4",
)
CUDA_MEMORY_CACHED.moved(
    "torch.cuda.max_memory_cached",
    "torch.cuda.max_memory_reserved",
    code="TC861",
    adapter="cuda.max_memory_reserved",
    old_added="0.4",
)


# -- adapters --------------------------------------------------------------------------------------------
# torch.cuda.amp arrived in 1.6 (GradScaler in 1.5), torch.autocast(device_type) and CPU autocast in 1.10,
# torch.amp.GradScaler(device) in 2.3, torch.amp.custom_fwd/custom_bwd(device_type=) in 2.4, when the
# torch.cuda.amp / torch.cpu.amp names started to raise FutureWarning (https://pytorch.org/docs/stable/amp.html).
# tc.autocast / GradScaler / custom_fwd / custom_bwd take the new signatures on every release and never touch
# a deprecated name where the new one exists.


def _once(warned: List[Any], key: Any, message: str) -> None:
    """Warn the first time only (per resolved adapter): the fallback is announced once, not at every step."""
    if key not in warned:
        warned.append(key)
        warnings.warn(message, UserWarning, stacklevel=3)


def _device_kind(device: Any) -> str:
    return str(getattr(device, "type", device)).split(":", 1)[0]


def make_autocast(env: Any) -> Any:
    torch = env.torch
    cuda_autocast = env.get("cuda.amp.autocast")
    warned: List[Any] = []

    class autocast:
        """``torch.autocast(device_type, dtype=None, enabled=True, cache_enabled=None)`` for torch < 1.10:
        ``torch.cuda.amp.autocast`` (1.6-1.9, float16 only) for ``'cuda'``; elsewhere (CPU autocast needs
        1.10, any autocast 1.6) a disabled no-op that warns once when asked to be enabled.
        Context manager and decorator. https://pytorch.org/docs/stable/amp.html.
        Remove when torch >= 1.10."""

        def __init__(
            self,
            device_type: str,
            dtype: Any = None,
            enabled: bool = True,
            cache_enabled: Optional[bool] = None,
        ) -> None:
            if not isinstance(device_type, str):
                raise ValueError("Expected `device_type` of type `str`, got: `%s`" % type(device_type))
            self.device = device_type
            self.fast_dtype = dtype
            self._enabled = bool(enabled)
            self._inner: Any = None
            half = getattr(torch, "float16", None)
            if device_type == "cuda" and cuda_autocast is not MISSING and dtype in (None, half):
                self._inner = cuda_autocast(enabled=self._enabled)  # cache_enabled: always on before 1.10
            elif enabled:
                if cuda_autocast is MISSING:
                    why = "autocast needs torch >= 1.6"
                elif device_type == "cuda":
                    why = "autocast('cuda', dtype=%s) needs torch >= 1.10" % (dtype,)
                else:
                    why = "autocast(%r) needs torch >= 1.10" % device_type
                _once(
                    warned,
                    "autocast",
                    "tc.autocast: %s; torch %s runs the region in full precision" % (why, env.version),
                )
                self._enabled = False

        def __enter__(self) -> Any:
            if self._inner is not None:
                self._inner.__enter__()
            return self

        def __exit__(self, *exc: Any) -> Any:
            if self._inner is not None:
                return self._inner.__exit__(*exc)
            return False

        def __call__(self, func: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(func)
            def decorate_autocast(*args: Any, **kwargs: Any) -> Any:
                with self:
                    return func(*args, **kwargs)

            return decorate_autocast

    autocast.__module__ = "torchcompat"
    return autocast


@AMP_CUDA_AUTOCAST.native_or("autocast")  # torch.autocast (1.10+) is torch.amp.autocast (1.12+)
def _autocast(env: Any) -> Resolution:
    note = "torch.cuda.amp.autocast for 'cuda'" if env.has("cuda.amp.autocast") else "disabled no-op"
    return backport(make_autocast(env), note)


class _DisabledGradScaler:
    """``torch.amp.GradScaler`` for torch < 1.5 (or a device without a scaler): the disabled scaler, whose
    ``scale`` returns its input and ``step`` calls ``optimizer.step()`` (https://pytorch.org/docs/stable/amp.html).
    Remove when torch >= 1.6."""

    def __init__(
        self,
        device: str = "cuda",
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
    ) -> None:
        self._device = device
        self._init_scale = init_scale
        self._growth_factor = growth_factor
        self._backoff_factor = backoff_factor
        self._growth_interval = growth_interval
        self._enabled = False
        if enabled:
            _once(
                type(self)._warned,
                "GradScaler",
                "tc.GradScaler: gradient scaling needs torch >= 1.6 (%r: torch >= 2.3); this scaler is disabled"
                % device,
            )

    _warned: List[Any] = []

    def scale(self, outputs: Any) -> Any:
        return outputs

    def unscale_(self, optimizer: Any) -> None:
        return None

    def step(self, optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale: Any = None) -> None:
        return None

    def get_scale(self) -> float:
        return 1.0

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        self._growth_factor = new_factor

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        self._backoff_factor = new_factor

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        self._growth_interval = new_interval

    def is_enabled(self) -> bool:
        return False

    def state_dict(self) -> Dict[str, Any]:
        return {}

    def load_state_dict(self, state_dict: Dict[str, Any]) -> None:
        return None


def make_grad_scaler(env: Any) -> Any:
    base = env.get("cuda.amp.GradScaler")
    if base is MISSING:
        scaler = type("GradScaler", (_DisabledGradScaler,), {"_warned": [], "__module__": "torchcompat"})
        return scaler
    warned: List[Any] = []

    class GradScaler(base):  # type: ignore[misc, valid-type]
        """``torch.amp.GradScaler(device='cuda', ...)`` for torch 1.5 - 2.2: ``torch.cuda.amp.GradScaler`` for
        CUDA; other devices get the disabled scaler (one warning), as CPU gradient scaling needs torch >= 2.3
        (https://pytorch.org/docs/stable/amp.html). Remove when torch >= 2.3."""

        def __init__(
            self,
            device: str = "cuda",
            init_scale: float = 2.0**16,
            growth_factor: float = 2.0,
            backoff_factor: float = 0.5,
            growth_interval: int = 2000,
            enabled: bool = True,
        ) -> None:
            if _device_kind(device) != "cuda" and enabled:
                _once(
                    warned,
                    "GradScaler",
                    "tc.GradScaler(%r) needs torch >= 2.3; torch %s gives a disabled scaler" % (device, env.version),
                )
                enabled = False
            super().__init__(
                init_scale=init_scale,
                growth_factor=growth_factor,
                backoff_factor=backoff_factor,
                growth_interval=growth_interval,
                enabled=enabled,
            )
            self._device = device

    GradScaler.__module__ = "torchcompat"
    return GradScaler


@AMP_GRADSCALER.native_or("GradScaler", "amp.GradScaler")  # torch.GradScaler is the same class
def _grad_scaler(env: Any) -> Resolution:
    note = "torch.cuda.amp.GradScaler for CUDA" if env.has("cuda.amp.GradScaler") else "disabled scaler"
    return backport(make_grad_scaler(env), note)


def _cast(value: Any, device_type: str, dtype: Any, torch: Any) -> Any:
    if isinstance(value, torch.Tensor):
        eligible = value.is_floating_point() and value.device.type == device_type and value.dtype is not torch.float64
        return value.to(dtype) if eligible else value
    if isinstance(value, (str, bytes)):
        return value
    if isinstance(value, dict):
        return {_cast(k, device_type, dtype, torch): _cast(v, device_type, dtype, torch) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast(v, device_type, dtype, torch) for v in value)
    return value


def make_custom_fwd_bwd(env: Any) -> Any:
    """``(custom_fwd, custom_bwd)`` with the torch 2.4 signatures, for older torch."""
    torch = env.torch
    cuda_fwd, cuda_bwd = env.get("cuda.amp.custom_fwd"), env.get("cuda.amp.custom_bwd")
    # The CPU autocast state: torch.is_autocast_enabled("cpu") from 2.4, torch.is_autocast_cpu_enabled() in
    # 1.10 - 2.3 (it warns from 2.4, where torch.amp.custom_fwd exists anyway).
    if env.has("get_autocast_dtype"):

        def cpu_enabled() -> bool:
            return torch.is_autocast_enabled("cpu")

        def cpu_dtype() -> Any:
            return torch.get_autocast_dtype("cpu")

        has_cpu = True
    else:
        cpu_enabled, cpu_dtype = env.get("is_autocast_cpu_enabled"), env.get("get_autocast_cpu_dtype")
        has_cpu = cpu_enabled is not MISSING and cpu_dtype is not MISSING and env.has("autocast")

    def custom_fwd(fwd: Optional[Callable[..., Any]] = None, *, device_type: str, cast_inputs: Any = None) -> Any:
        """``torch.amp.custom_fwd(fwd, device_type=, cast_inputs=)`` for torch < 2.4: ``torch.cuda.amp.custom_fwd``
        for CUDA (1.6+), the same logic on the CPU autocast state (1.10+), else ``fwd`` itself (autocast can
        never be on there). https://pytorch.org/docs/stable/amp.html. Remove when torch >= 2.4."""
        if fwd is None:
            return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)
        if device_type == "cuda" and cuda_fwd is not MISSING:
            return cuda_fwd(fwd) if cast_inputs is None else cuda_fwd(fwd, cast_inputs=cast_inputs)
        if device_type != "cpu" or not has_cpu:
            return fwd

        @functools.wraps(fwd)
        def decorate_fwd(*args: Any, **kwargs: Any) -> Any:
            enabled = cpu_enabled()
            args[0]._dtype = cpu_dtype()
            if cast_inputs is None:
                args[0]._fwd_used_autocast = enabled
                return fwd(*args, **kwargs)
            args[0]._fwd_used_autocast = False
            if enabled:
                with torch.autocast("cpu", enabled=False):
                    return fwd(*_cast(args, "cpu", cast_inputs, torch), **_cast(kwargs, "cpu", cast_inputs, torch))
            return fwd(*args, **kwargs)

        return decorate_fwd

    def custom_bwd(bwd: Optional[Callable[..., Any]] = None, *, device_type: str) -> Any:
        """``torch.amp.custom_bwd(bwd, device_type=)`` for torch < 2.4: runs ``bwd`` with the autocast state of
        the matching forward. https://pytorch.org/docs/stable/amp.html. Remove when torch >= 2.4."""
        if bwd is None:
            return functools.partial(custom_bwd, device_type=device_type)
        if device_type == "cuda" and cuda_bwd is not MISSING:
            return cuda_bwd(bwd)
        if device_type != "cpu" or not has_cpu:
            return bwd

        @functools.wraps(bwd)
        def decorate_bwd(*args: Any, **kwargs: Any) -> Any:
            ctx = args[0]
            with torch.autocast("cpu", enabled=getattr(ctx, "_fwd_used_autocast", False), dtype=ctx._dtype):
                return bwd(*args, **kwargs)

        return decorate_bwd

    return custom_fwd, custom_bwd


@AMP_CUSTOM_FWD.native_or("custom_fwd", "amp.custom_fwd")
def _custom_fwd(env: Any) -> Resolution:
    return backport(env._cached(("torchcompat", "custom_fwd_bwd"), lambda: make_custom_fwd_bwd(env))[0])


@AMP_CUSTOM_FWD.native_or("custom_bwd", "amp.custom_bwd")
def _custom_bwd(env: Any) -> Resolution:
    return backport(env._cached(("torchcompat", "custom_fwd_bwd"), lambda: make_custom_fwd_bwd(env))[1])
