"""torch.nn shifts: modules, init names, functional changes, losses, hooks, attention.

A package by topic: ``records`` (the declarations), ``backports`` (the builders' view and the pickle hook), and
the adapters by family (``functional``, ``modules``, ``init``, ``utils``, ``interpolate``, ``losses``,
``attention``). Backports are built once per torch module by ``REGISTRY.builder`` functions, so that tests can
run every backport against the native API on a new torch (:data:`BACKPORTS`). Backported ``nn.Module`` classes
are reachable as ``torchcompat.shifts.nn._tc_<Name>`` (PEP 562 ``__getattr__`` below), which lets
``torch.save(model)`` pickle them by reference. Every name of the former flat module stays importable here."""

from __future__ import annotations

from typing import Any

from torchcompat.shifts.nn.attention import (  # noqa: F401 - re-exported: the former flat module's names
    _build_sdpa,
    _sdpa,
)
from torchcompat.shifts.nn.backports import (  # noqa: F401 - re-exported: the former flat module's names
    _F,
    BACKPORTS,
    PICKLE_MODULE,
    _Backports,
    _module_class,
    backported_class,
)
from torchcompat.shifts.nn.functional import (  # noqa: F401 - re-exported: the former flat module's names
    _build_gelu,
    _build_hardswish,
    _build_mish,
    _build_one_hot,
    _build_silu,
    _gelu,
    _gelu_has_approximate,
)
from torchcompat.shifts.nn.init import (  # noqa: F401 - re-exported: the former flat module's names
    _INIT_RECORDS,
    _build_calculate_gain,
    _build_kaiming,
    _build_trunc_normal,
    _calculate_gain,
    _fans,
    _init_resolver,
    _selu_gain_native,
)
from torchcompat.shifts.nn.interpolate import (  # noqa: F401 - re-exported: the former flat module's names
    _LINEAR_MODES,
    _build_interpolate,
    _env_of,
    _interp_new_default,
    _interpolate,
    _scale_list,
)
from torchcompat.shifts.nn.losses import (  # noqa: F401 - re-exported: the former flat module's names
    _legacy_reduction,
    _loss_resolver,
)
from torchcompat.shifts.nn.modules import (  # noqa: F401 - re-exported: the former flat module's names
    _activation_module,
    _build_flatten,
    _build_gelu_module,
    _build_identity,
    _build_unflatten,
    _gelu_module,
    _unflatten,
    _unflatten_infers,
)
from torchcompat.shifts.nn.records import (  # noqa: F401 - re-exported: the former flat module's names
    INIT_NAMES,
    NN_BACKWARD_HOOK,
    NN_BN_NUM_BATCHES_TRACKED,
    NN_CLIP_GRAD_NORM,
    NN_CLIP_GRAD_NORM_KWARGS,
    NN_F_SIGMOID_TANH,
    NN_FUNCTIONAL_ADDED,
    NN_GRID_SAMPLE_ALIGN,
    NN_INIT_NO_UNDERSCORE,
    NN_INIT_SELU_GAIN,
    NN_INIT_TRUNC_NORMAL,
    NN_INTERP_ALIGN_CORNERS,
    NN_INTERP_RECOMPUTE_SCALE,
    NN_LOSS_MODULES,
    NN_LOSS_NAMES,
    NN_MODULE_NAME_DOTS,
    NN_MODULES_ADDED,
    NN_NLLLOSS2D,
    NN_PACKED_SEQ_CPU_LENGTHS,
    NN_REDUCTION_KWARG,
    NN_SDP_KERNEL,
    NN_SDPA_BACKPORT,
    NN_SOFTMAX_IMPLICIT_DIM,
    NN_UPSAMPLE_FN,
    NN_UPSAMPLING_MODULES,
    NN_WEIGHT_NORM,
    shift,
)
from torchcompat.shifts.nn.utils import (  # noqa: F401 - re-exported: the former flat module's names
    _build_clip_grad_norm,
    _clip_grad_norm,
    _register_full_backward_hook,
    _weight_norm,
)


def __getattr__(attr: str) -> Any:
    """``_tc_<Name>``: the backported module class built for the installed torch (for pickle)."""
    return backported_class(attr)
