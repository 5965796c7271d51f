"""torch.nn shifts: modules, init names, functional changes, losses, hooks, attention.

Records generated from the shift catalogue; adapters, probes and notes are added beside them.

Backports are built per torch module by the ``_build_*`` functions below (registered in
:data:`BACKPORTS`), so that tests can run every backport against the native API on a new torch.
Backported ``nn.Module`` classes are reachable as ``torchcompat.shifts.nn._tc_<Name>`` (PEP 562), which
lets ``torch.save(model)`` pickle them by reference."""

from __future__ import annotations

import math
import threading
import warnings
from typing import Any, Callable, Dict, Optional, Tuple

from torchcompat.probe import MISSING
from torchcompat.probe import env as probe_env
from torchcompat.registry import Resolution, UnsupportedError, backport, declare, native, unavailable

shift = declare("nn")

NN_SOFTMAX_IMPLICIT_DIM = shift(
    "nn-softmax-implicit-dim",
    "F.softmax(x) without dim → F.softmax(x, dim=...)",
    old="`F.softmax(x)`, `F.log_softmax(x)`, `nn.Softmax()`, `nn.LogSoftmax()`, `softmin` with no `dim`",
    new="explicit `dim=` (legacy rule: dim 0 if ndim ∈ {0,1,3}, else 1)",
    added="0.3",
    deprecated="0.3",
    strategy="codemod",
    notes='added: 0.3; deprecated: 0.3 (UserWarning "Implicit dimension choice ... has been deprecated"); removed: still present (warns) as of 2.x. Silent change: YES: the heuristic picks dim 0 for 3-D inputs. How common: M (8 code hits)',
)

NN_REDUCTION_KWARG = shift(
    "nn-reduction-kwarg",
    "size_average= / reduce= → reduction='mean' | 'sum' | 'none'",
    old="`nn.CrossEntropyLoss(size_average=False)`, `F.mse_loss(..., reduce=False)`",
    new="`reduction='sum'`, `'none'` or `'mean'`",
    added="0.4",
    deprecated="0.4",
    link="https://github.com/pytorch/pytorch/pull/8018",
    strategy="codemod",
    notes="added: 0.4.1 (PR #8018); deprecated: 0.4.1 (UserWarning); removed: still present (warns) as of 2.x. How common: H (10/12). "
    "Adapters: the 18 loss functions and 18 loss modules that take `reduction=` on 1.0.1 (api_probe + signature check): native on every installable release; before 0.4.1 (emulated) `reduction=` maps to `size_average`/`reduce`.",
    probe=lambda env: env.accepts("nn.functional.mse_loss", "reduction"),
)

NN_F_SIGMOID_TANH = shift(
    "nn-F-sigmoid-tanh",
    "F.sigmoid(x) / F.tanh(x) → torch.sigmoid(x) / torch.tanh(x)",
    old="`F.sigmoid(x)`, `F.tanh(x)`",
    new="`torch.sigmoid`, `torch.tanh`",
    added="0.4",
    deprecated="0.4",
    link="https://github.com/pytorch/pytorch/pull/8748",
    strategy="alias",
    verified=False,
    notes="added: 0.4.0; deprecated: 0.4.1 (PR #8748); still warned in 1.13; removed: un-deprecated later: in 2.x `F.sigmoid` just calls `input.sigmoid()` with no warning (version ?). How common: H (10/12 mostly warning reports)",
)

NN_UPSAMPLE_FN = shift(
    "nn-upsample-fn",
    "F.upsample(...) → F.interpolate(..., mode=, align_corners=)",
    old="`F.upsample(...)`, `F.upsample_bilinear`, `F.upsample_nearest`",
    new="`F.interpolate(..., mode=, align_corners=)`",
    added="0.4",
    deprecated="0.4",
    strategy="alias",
    notes="added: 0.4.1; deprecated: 0.4.1; removed: still present (warns) as of 2.x. Silent change: `upsample_bilinear` implies `align_corners=True`. How common: M (6)",
)

NN_UPSAMPLING_MODULES = shift(
    "nn-upsampling-modules",
    "nn.UpsamplingNearest2d → nn.Upsample(mode='nearest')",
    old="`nn.UpsamplingNearest2d`, `nn.UpsamplingBilinear2d`",
    new="`nn.Upsample(mode='nearest')`, `nn.Upsample(mode='bilinear', align_corners=True)`",
    added="0.4",
    strategy="codemod",
    notes='added: 0.4.0; deprecated: deprecated per docs/TorchFix (PR "TBA"); removed: still present as of 2.x. Silent change: YES if replaced naively: the Bilinear2d module is align_corners=True. How common: ns (M)',
)

NN_INTERP_ALIGN_CORNERS = shift(
    "nn-interp-align-corners",
    "bilinear upsampling without align_corners → align_corners=True keeps ≤0.3 results",
    old="bilinear/trilinear `nn.Upsample`/`F.interpolate` written for ≤0.3 without `align_corners`",
    new="`align_corners=True` reproduces ≤0.3 output",
    added="0.4",
    deprecated="0.4",
    strategy="codemod",
    notes='added: 0.4.0; deprecated: 0.4.0 (warning "changed to align_corners=False since 0.4.0"); removed: —. Silent change: YES: numeric half-pixel shift. How common: M (3 + many warning reports)',
)

NN_GRID_SAMPLE_ALIGN = shift(
    "nn-grid-sample-align",
    "F.grid_sample / F.affine_grid default align_corners flipped to False (1.3)",
    old="`F.grid_sample(x, g)`, `F.affine_grid(theta, size)`",
    new="`align_corners=True` keeps the pre-change behaviour",
    added="1.3",
    deprecated="1.3",
    removed="1.3",
    link="https://github.com/pytorch/pytorch/pull/24929",
    strategy="codemod",
    verified=False,
    notes='added: 1.3 (arg, PR #24929); deprecated: 1.3 (warning "will be changed ... from 1.4.0"); removed: default False: the warning text says "since 1.3.0", downstream says 1.4 (? sources disagree). Silent change: YES: sampling grid shifts by half a pixel; models trained with the old default degrade silently. How common: H (8/11)',
)

NN_INTERP_RECOMPUTE_SCALE = shift(
    "nn-interp-recompute-scale",
    "F.interpolate(scale_factor=float) → recompute_scale_factor=True keeps ≤1.5 results",
    old="`F.interpolate(x, scale_factor=1.5)`, `nn.Upsample(scale_factor=float)`",
    new="`recompute_scale_factor=True` to keep ≤1.5 behaviour",
    added="1.5",
    deprecated="1.5",
    removed="1.6",
    link="https://github.com/pytorch/pytorch/pull/38362",
    strategy="codemod",
    verified=False,
    notes="added: 1.5 ? (F), 1.7 ? (`nn.Upsample` arg); deprecated: 1.5 (warning); removed: 1.6 default change (PR #38362). Silent change: YES: the scale is used directly instead of recomputed from size → different sample positions. How common: M (4). "
    "Adapter `nn.functional.interpolate`: native where it takes `recompute_scale_factor` with the 1.6 default and `antialias` (1.11); elsewhere a wrapper that passes the new default explicitly (1.5-1.10), or (1.0-1.4, no argument) keeps the old kernels where recomputing changes nothing (integral output size, area, align_corners=True) and computes nearest/linear modes with the given scale itself; bicubic there raises UnsupportedError naming 1.6. Before 0.4.1 it calls `upsample` (align_corners=True only for linear modes).",
    probe=lambda env: env.accepts("nn.functional.interpolate", "antialias"),
)

NN_INIT_NO_UNDERSCORE = shift(
    "nn-init-no-underscore",
    "nn.init.xavier_uniform(w) → xavier_uniform_(w)",
    old="`nn.init.xavier_uniform(w)`, `kaiming_normal`, `normal`, `constant`, `uniform`, ...",
    new="`xavier_uniform_(w)`, etc.",
    added="0.4",
    deprecated="0.4",
    link="https://github.com/pytorch/pytorch/pull/6093",
    strategy="alias",
    notes="added: 0.4.0 (PR #6093); deprecated: 0.4.0; removed: still present (warns, `_make_deprecate`) as of 2.x. How common: M (7). "
    "Adapters `nn.init.<name>_` for the initialisers of torch 2.x: native where present (all but trunc_normal_ from 1.0.1), the old name as a backport on 0.3; kaiming_uniform_/kaiming_normal_ hang on nn-init-selu-gain (wrappers where 'selu' is unknown), trunc_normal_ on nn-init-trunc-normal. The `generator=` keyword (2.x) is not backported.",
    probe="nn.init.xavier_uniform_",
)

NN_CLIP_GRAD_NORM = shift(
    "nn-clip-grad-norm",
    "nn.utils.clip_grad_norm(params, max_norm) → nn.utils.clip_grad_norm_",
    old="`nn.utils.clip_grad_norm(params, max_norm)`",
    new="`nn.utils.clip_grad_norm_`",
    added="0.4",
    deprecated="0.4",
    strategy="alias",
    notes="added: 0.4.0; deprecated: 0.4.0 (FutureWarning via `@deprecated` in 2.x); removed: still present as of 2.x (verified in stored source). How common: ns (M). "
    "The adapter `nn.utils.clip_grad_norm_` hangs on nn-clip-grad-norm-kwargs (its arguments changed later).",
    probe="nn.utils.clip_grad_norm_",
)

NN_NLLLOSS2D = shift(
    "nn-nllloss2d",
    "nn.NLLLoss2d → nn.NLLLoss",
    old="`nn.NLLLoss2d`",
    new="`nn.NLLLoss` (handles N-d)",
    added="0.4",
    deprecated="0.4",
    strategy="alias",
    verified=False,
    notes="added: 0.4.0 ?; deprecated: 0.4.0 ?; removed: still present ?. How common: ns (L)",
)

NN_WEIGHT_NORM = shift(
    "nn-weight-norm",
    "nn.utils.weight_norm(m) → nn.utils.parametrizations.weight_norm(m)",
    old="`nn.utils.weight_norm(m)`, `remove_weight_norm`, `m.weight_g`/`m.weight_v`",
    new="`nn.utils.parametrizations.weight_norm(m)`, `parametrize.remove_parametrizations(m,'weight')`, `m.parametrizations.weight.original0/1`",
    added="2.1",
    deprecated="2.1",
    link="https://github.com/pytorch/pytorch/pull/103001",
    strategy="codemod",
    notes="added: 2.1 (PR #103001); deprecated: 2.1 (UserWarning, later FutureWarning); removed: still present as of 2.12 docs. Silent change: YES: the weight is recomputed on every access; state_dict keys renamed (the new API still loads old keys). How common: M (9). "
    "Adapter `nn.utils.weight_norm`: the parametrization where it exists (2.1+), else the old hook-based function (status backported: same weights, but parameters weight_g/weight_v and remove_weight_norm to undo).",
    probe="nn.utils.parametrizations.weight_norm",
)

NN_BACKWARD_HOOK = shift(
    "nn-backward-hook",
    "module.register_backward_hook(fn) → register_full_backward_hook(fn)",
    old="`module.register_backward_hook(fn)`",
    new="`register_full_backward_hook(fn)`",
    added="1.8",
    deprecated="1.8",
    strategy="warn-only",
    verified=False,
    notes="added: 1.8; deprecated: 1.8 (warning); removed: still present ?. Silent change: YES: the old hook sees only the last op's grads for composite modules. How common: ns (L). "
    "Adapter `register_full_backward_hook(module, hook)`: the unbound method `nn.Module.register_full_backward_hook` (1.8+). Before 1.8 it is unavailable (UnsupportedError naming 1.8): the old hook is not equivalent, and 1.0-1.7 hooks cannot replace a module's inputs/outputs to insert the autograd boundaries a full hook needs.",
    probe="nn.Module.register_full_backward_hook",
)

NN_SDP_KERNEL = shift(
    "nn-sdp-kernel",
    "torch.backends.cuda.sdp_kernel(...) → torch.nn.attention.sdpa_kernel([...])",
    old="`torch.backends.cuda.sdp_kernel(enable_flash=..., enable_math=...)`",
    new="`torch.nn.attention.sdpa_kernel([SDPBackend.FLASH_ATTENTION, ...])`",
    added="2.3",
    deprecated="2.3",
    link="https://github.com/pytorch/pytorch/pull/114689",
    strategy="alias",
    verified=False,
    notes="added: 2.3 ?; deprecated: 2.3 ? (PR #114689); removed: still present ?. How common: ns (L; TorchFix TOR101)",
)

NN_SDPA_BACKPORT = shift(
    "nn-sdpa-backport",
    "hand-written attention, or SDPA-using code on <2.0 → F.scaled_dot_product_attention",
    old="hand-written attention, or SDPA-using code on <2.0",
    new="`F.scaled_dot_product_attention`",
    added="2.0",
    strategy="backport",
    notes="added: 2.0; deprecated: —; removed: —. How common: ns. "
    "Adapter: native where it takes `scale` (2.1) and `enable_gqa` (2.5); on 2.0-2.4 torch's own unless those are used; below 2.0 a reference (math) implementation (bool/uint8 or float masks, is_causal, dropout, scale, enable_gqa; fully masked rows give 0 as in 2.5+), within 1e-6 of torch's own in float64.",
    link="https://github.com/pytorch/pytorch/pull/92189",
    probe=lambda env: env.accepts("nn.functional.scaled_dot_product_attention", "enable_gqa"),
)

NN_PACKED_SEQ_CPU_LENGTHS = shift(
    "nn-packed-seq-cpu-lengths",
    "pack_padded_sequence(x, cuda_lengths) → lengths.cpu()",
    old="`pack_padded_sequence(x, lengths_cuda)`",
    new="`lengths.cpu()` or a Python list",
    removed="1.7",
    link="https://github.com/pytorch/pytorch/pull/43227",
    strategy="legacy-restore",
    notes="added: —; deprecated: —; removed: 1.7 (RuntimeError \"'lengths' argument should be a 1D CPU int64 tensor\"; pytorch#43227, by design). How common: M (7)",
)

NN_BN_NUM_BATCHES_TRACKED = shift(
    "nn-bn-num-batches-tracked",
    "BatchNorm state_dicts from before 0.4.1 lack num_batches_tracked",
    old="loading pre-0.4.1 BN state_dicts (or dicts rebuilt without `_metadata`), or new dicts into old code",
    new="insert/drop `*.num_batches_tracked`, or `strict=False`",
    added="0.4",
    strategy="legacy-restore",
    notes="added: 0.4.1 (buffer); deprecated: —; removed: —. Silent change: strict-load errors; `momentum=None` (cumulative average) depends on it. How common: VH (10/12)",
)

NN_MODULE_NAME_DOTS = shift(
    "nn-module-name-dots",
    "submodule or parameter names containing '.' are refused (0.4)",
    old='submodule/parameter names containing "."',
    new="rename",
    added="0.4",
    removed="0.4",
    strategy="codemod",
    notes="added: 0.4.0; deprecated: —; removed: 0.4.0 (KeyError). How common: ns (L)",
)

# ---------------------------------------------------------------------------------------------
# Records added beside the catalogue's, for adapters that have no catalogue row.
# ---------------------------------------------------------------------------------------------

NN_MODULES_ADDED = shift(
    "nn-modules-added",
    "nn.Identity, Flatten, Unflatten, SiLU, GELU, Mish, Hardswish: layers added in 1.1-1.9",
    old="hand-written `class Identity(nn.Module)`, `x.view(x.size(0), -1)`, `x * torch.sigmoid(x)` ...",
    new="`nn.Identity()`, `nn.Flatten()`, `nn.Unflatten(dim, sizes)`, `nn.SiLU()`, `nn.GELU()`, `nn.Mish()`, "
    "`nn.Hardswish()`",
    added="1.1",
    link="https://github.com/pytorch/pytorch/pull/19249",
    strategy="backport",
    notes="First release with each (api_probe): Identity 1.1, Flatten 1.2, GELU 1.4, Hardswish 1.6, SiLU 1.7, "
    "Unflatten 1.7, Mish 1.9. `GELU(approximate='tanh')` from 1.12. Backported as exact modules elsewhere "
    "(Unflatten: int sizes only, no named-tensor form).",
)

NN_FUNCTIONAL_ADDED = shift(
    "nn-functional-added",
    "F.gelu, F.one_hot, F.hardswish, F.silu, F.mish: functions added in 1.1-1.9",
    old="`x * torch.sigmoid(x)`, `torch.zeros(n, c).scatter_(1, idx, 1)` ...",
    new="`F.silu(x)`, `F.gelu(x, approximate=...)`, `F.mish(x)`, `F.hardswish(x)`, `F.one_hot(idx, c)`",
    added="1.1",
    link="https://github.com/pytorch/pytorch/pull/41034",
    strategy="backport",
    notes="First release with each (api_probe): one_hot 1.1, gelu 1.2 (`approximate=` 1.12, PR #61439), "
    "hardswish 1.6, silu 1.7 (PR #41034), mish 1.9.",
)

NN_INIT_TRUNC_NORMAL = shift(
    "nn-init-trunc-normal",
    "nn.init.trunc_normal_ (added 1.6)",
    old="timm's / hand-written `trunc_normal_`",
    new="`nn.init.trunc_normal_(w, mean, std, a, b)`",
    added="1.6",
    link="https://github.com/pytorch/pytorch/pull/32397",
    strategy="backport",
    probe="nn.init.trunc_normal_",
    notes="Backport: inverse-CDF sampling (the 1.6-2.x algorithm); torch 2.13 samples by rejection, so values "
    "differ for one seed, the distribution is the same.",
)

NN_INIT_SELU_GAIN = shift(
    "nn-init-selu-gain",
    "nn.init.calculate_gain('selu') and kaiming_*_(nonlinearity='selu') (gain 3/4)",
    old="`calculate_gain('selu')` raises ValueError (1.0)",
    new="`calculate_gain('selu') == 0.75`",
    added="1.8",
    link="https://github.com/pytorch/pytorch/pull/50664",
    strategy="backport",
    verified=False,
    probe=lambda env: env.behaves("nn-init-selu-gain", lambda t: t.nn.init.calculate_gain("selu") == 0.75),
    notes="Probe: absent in 1.0.1, present in 1.8.1 (first release not pinned).",
)

NN_CLIP_GRAD_NORM_KWARGS = shift(
    "nn-clip-grad-norm-kwargs",
    "clip_grad_norm_ returns a tensor, takes error_if_nonfinite (1.9) and foreach (2.0)",
    old="`clip_grad_norm_(params, max_norm, norm_type)` returning a float (1.0-1.4 for inf norm)",
    new="`clip_grad_norm_(params, max_norm, norm_type, error_if_nonfinite=False, foreach=None)` -> Tensor",
    added="2.0",
    link="https://github.com/pytorch/pytorch/pull/53843",
    strategy="backport",
    probe=lambda env: env.accepts("nn.utils.clip_grad_norm_", "foreach"),
    notes="error_if_nonfinite: 1.9 (PR #53843); foreach: 2.0 (a speed option: dropped where unknown, the "
    "result is the same).",
)

NN_LOSS_NAMES = (
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cosine_embedding_loss",
    "cross_entropy",
    "ctc_loss",
    "hinge_embedding_loss",
    "kl_div",
    "l1_loss",
    "margin_ranking_loss",
    "mse_loss",
    "multi_margin_loss",
    "multilabel_margin_loss",
    "multilabel_soft_margin_loss",
    "nll_loss",
    "poisson_nll_loss",
    "smooth_l1_loss",
    "soft_margin_loss",
    "triplet_margin_loss",
)
NN_LOSS_MODULES = (
    "BCELoss",
    "BCEWithLogitsLoss",
    "CosineEmbeddingLoss",
    "CrossEntropyLoss",
    "CTCLoss",
    "HingeEmbeddingLoss",
    "KLDivLoss",
    "L1Loss",
    "MarginRankingLoss",
    "MSELoss",
    "MultiMarginLoss",
    "MultiLabelMarginLoss",
    "MultiLabelSoftMarginLoss",
    "NLLLoss",
    "PoissonNLLLoss",
    "SmoothL1Loss",
    "SoftMarginLoss",
    "TripletMarginLoss",
)
INIT_NAMES = (
    "constant_",
    "dirac_",
    "eye_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "ones_",
    "orthogonal_",
    "sparse_",
    "trunc_normal_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
)

# ---------------------------------------------------------------------------------------------
# Backport builders: name -> build(torch) -> object; cached per torch module.
# ---------------------------------------------------------------------------------------------

#: Adapter name -> builder of its backport (``BACKPORTS["nn.SiLU"](torch)``); tests run them on new torch.
BACKPORTS: Dict[str, Callable[[Any], Any]] = {}
_BUILT: Dict[Tuple[int, str], Tuple[Any, Any]] = {}
_BUILD_LOCK = threading.RLock()


def _builder(name: str) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    def register(build: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def cached(torch: Any) -> Any:
            key = (id(torch), name)
            found = _BUILT.get(key)
            if found is None or found[0] is not torch:
                with _BUILD_LOCK:  # one object per torch: pickling checks identity
                    found = _BUILT.get(key)
                    if found is None or found[0] is not torch:
                        found = _BUILT[key] = (torch, build(torch))
            return found[1]

        cached.__name__ = build.__name__
        cached.__doc__ = build.__doc__
        BACKPORTS[name] = cached
        return cached

    return register


def __getattr__(attr: str) -> Any:
    """``_tc_<Name>``: the backported module class built for the installed torch (for pickle)."""
    if attr.startswith("_tc_") and "nn." + attr[4:] in BACKPORTS:
        import torch

        return BACKPORTS["nn." + attr[4:]](torch)
    raise AttributeError("module %r has no attribute %r" % (__name__, attr))


def _module_class(cls: Any) -> Any:
    cls.__module__ = __name__
    cls.__qualname__ = "_tc_" + cls.__name__
    return cls


def _native_or(env: Any, name: str, path: Optional[str] = None) -> Resolution:
    """torch's object at ``path`` (default ``name``) if present, else the registered backport."""
    obj = env.get(path or name)
    if obj is not MISSING:
        return native(obj)
    return backport(BACKPORTS[name](env.torch))


def _F(torch: Any, name: str) -> Any:
    """torch.nn.functional.<name>, or its backport."""
    fn = getattr(torch.nn.functional, name, None)
    return fn if fn is not None else BACKPORTS["nn.functional." + name](torch)


# -- functional activations ----------------------------------------------------------------------


@_builder("nn.functional.silu")
def _build_silu(torch: Any) -> Callable[..., Any]:
    def silu(input: Any, inplace: bool = False) -> Any:
        """SiLU / swish, ``x * sigmoid(x)``, for torch < 1.7 (https://github.com/pytorch/pytorch/pull/41034).
        Remove when torch >= 1.7."""
        if inplace:
            return input.mul_(torch.sigmoid(input))
        return input * torch.sigmoid(input)

    return silu


@_builder("nn.functional.mish")
def _build_mish(torch: Any) -> Callable[..., Any]:
    softplus = torch.nn.functional.softplus

    def mish(input: Any, inplace: bool = False) -> Any:
        """Mish, ``x * tanh(softplus(x))``, for torch < 1.9 (https://github.com/pytorch/pytorch/pull/58648).
        Remove when torch >= 1.9."""
        if inplace:
            return input.mul_(torch.tanh(softplus(input)))
        return input * torch.tanh(softplus(input))

    return mish


@_builder("nn.functional.hardswish")
def _build_hardswish(torch: Any) -> Callable[..., Any]:
    relu6 = torch.nn.functional.relu6

    def hardswish(input: Any, inplace: bool = False) -> Any:
        """Hardswish, ``x * relu6(x + 3) / 6``, for torch < 1.6 (https://github.com/pytorch/pytorch/pull/34747).
        Remove when torch >= 1.6."""
        if inplace:
            return input.mul_(relu6(input + 3)).div_(6)
        return input * relu6(input + 3) / 6

    return hardswish


@_builder("nn.functional.gelu")
def _build_gelu(torch: Any) -> Callable[..., Any]:
    base = getattr(torch.nn.functional, "gelu", None)
    sqrt1_2 = math.sqrt(0.5)
    beta = math.sqrt(2.0 / math.pi)

    def gelu(input: Any, approximate: str = "none") -> Any:
        """GELU with ``approximate='none' | 'tanh'`` for torch < 1.12 (the function itself for torch < 1.2;
        https://github.com/pytorch/pytorch/pull/61439). Remove when torch >= 1.12."""
        if approximate == "none":
            if base is not None:
                return base(input)
            return input * 0.5 * (1.0 + torch.erf(input * sqrt1_2))
        if approximate == "tanh":
            inner = (input + 0.044715 * input * input * input) * beta
            return 0.5 * input * (1.0 + torch.tanh(inner))
        raise RuntimeError("approximate argument must be either none or tanh.")

    return gelu


@_builder("nn.functional.one_hot")
def _build_one_hot(torch: Any) -> Callable[..., Any]:
    def one_hot(tensor: Any, num_classes: int = -1) -> Any:
        """``F.one_hot`` for torch < 1.1 (https://github.com/pytorch/pytorch/pull/15208). Remove when torch >= 1.1."""
        if tensor.dtype != torch.long:
            raise RuntimeError("one_hot is only applicable to index tensor.")
        if tensor.numel() > 0:
            if int(tensor.min()) < 0:
                raise RuntimeError("Class values must be non-negative.")
            top = int(tensor.max())
            if num_classes == -1:
                num_classes = top + 1
            elif top >= num_classes:
                raise RuntimeError("Class values must be smaller than num_classes.")
        elif num_classes == -1:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        out = torch.zeros(tuple(tensor.shape) + (num_classes,), dtype=torch.long, device=tensor.device)
        if tensor.numel() == 0:
            return out
        return out.scatter_(-1, tensor.unsqueeze(-1), 1)

    return one_hot


for _name in ("silu", "mish", "hardswish", "one_hot"):
    NN_FUNCTIONAL_ADDED.adapter("nn.functional." + _name)(
        (lambda n: lambda env: _native_or(env, "nn.functional." + n))(_name)
    )


def _gelu_has_approximate(env: Any) -> bool:
    return env.behaves(
        "nn-gelu-approximate", lambda t: t.nn.functional.gelu(t.zeros(1), approximate="tanh") is not None
    )


@NN_FUNCTIONAL_ADDED.adapter("nn.functional.gelu")
def _gelu(env: Any) -> Resolution:
    if env.has("nn.functional.gelu") and _gelu_has_approximate(env):
        return native(env.get("nn.functional.gelu"))
    note = "adds approximate=" if env.has("nn.functional.gelu") else ""
    return backport(BACKPORTS["nn.functional.gelu"](env.torch), note)


# -- modules ---------------------------------------------------------------------------------------


@_builder("nn.Identity")
def _build_identity(torch: Any) -> Any:
    class Identity(torch.nn.Module):
        """``nn.Identity`` for torch < 1.1 (https://github.com/pytorch/pytorch/pull/19249): returns its input; any
        constructor arguments are ignored. Remove when torch >= 1.1."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__()

        def forward(self, input: Any) -> Any:
            return input

    return _module_class(Identity)


@_builder("nn.Flatten")
def _build_flatten(torch: Any) -> Any:
    class Flatten(torch.nn.Module):
        """``nn.Flatten(start_dim=1, end_dim=-1)`` for torch < 1.2 (https://github.com/pytorch/pytorch/pull/22245).
        Remove when torch >= 1.2."""

        def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
            super().__init__()
            self.start_dim = start_dim
            self.end_dim = end_dim

        def forward(self, input: Any) -> Any:
            return input.flatten(self.start_dim, self.end_dim)

        def extra_repr(self) -> str:
            return "start_dim={}, end_dim={}".format(self.start_dim, self.end_dim)

    return _module_class(Flatten)


@_builder("nn.Unflatten")
def _build_unflatten(torch: Any) -> Any:
    class Unflatten(torch.nn.Module):
        """``nn.Unflatten(dim, unflattened_size)`` for torch < 1.7 (https://github.com/pytorch/pytorch/pull/41564),
        and with a -1
        (inferred) size where torch's own lacks it; integer sizes only (the named-tensor form needs
        torch's own). Remove when the oldest torch supported has both (1.8's has no -1)."""

        def __init__(self, dim: Any, unflattened_size: Any) -> None:
            super().__init__()
            if not isinstance(dim, int):
                raise TypeError("invalid argument type for dim parameter (torchcompat's Unflatten takes an int)")
            if not isinstance(unflattened_size, (tuple, list)) or not all(isinstance(s, int) for s in unflattened_size):
                raise TypeError("unflattened_size must be a tuple or list of ints")
            self.dim = dim
            self.unflattened_size = unflattened_size

        def forward(self, input: Any) -> Any:
            dim = self.dim + input.dim() if self.dim < 0 else self.dim
            shape = list(input.shape)
            return input.view(shape[:dim] + list(self.unflattened_size) + shape[dim + 1 :])

        def extra_repr(self) -> str:
            return "dim={}, unflattened_size={}".format(self.dim, self.unflattened_size)

    return _module_class(Unflatten)


def _activation_module(torch: Any, cls_name: str, fn_name: str, pr: str, needs: str) -> Any:
    fn = _F(torch, fn_name)

    def __init__(self: Any, inplace: bool = False) -> None:
        torch.nn.Module.__init__(self)
        self.inplace = inplace

    def forward(self: Any, input: Any) -> Any:
        return fn(input, inplace=self.inplace)

    def extra_repr(self: Any) -> str:
        return "inplace=True" if self.inplace else ""

    doc = "``nn.%s(inplace=False)`` for torch < %s (%s). Remove when torch >= %s." % (cls_name, needs, pr, needs)
    cls = type(
        cls_name,
        (torch.nn.Module,),
        {"__init__": __init__, "forward": forward, "extra_repr": extra_repr, "__doc__": doc},
    )
    return _module_class(cls)


_builder("nn.SiLU")(
    lambda torch: _activation_module(torch, "SiLU", "silu", "https://github.com/pytorch/pytorch/pull/41034", "1.7")
)
_builder("nn.Mish")(
    lambda torch: _activation_module(torch, "Mish", "mish", "https://github.com/pytorch/pytorch/pull/58648", "1.9")
)
_builder("nn.Hardswish")(
    lambda torch: _activation_module(
        torch, "Hardswish", "hardswish", "https://github.com/pytorch/pytorch/pull/34747", "1.6"
    )
)


@_builder("nn.GELU")
def _build_gelu_module(torch: Any) -> Any:
    gelu = BACKPORTS["nn.functional.gelu"](torch)

    class GELU(torch.nn.Module):
        """``nn.GELU(approximate='none')`` for torch < 1.12 (the module itself for torch < 1.4;
        https://github.com/pytorch/pytorch/pull/61439). Remove when torch >= 1.12."""

        def __init__(self, approximate: str = "none") -> None:
            super().__init__()
            self.approximate = approximate

        def forward(self, input: Any) -> Any:
            return gelu(input, approximate=self.approximate)

        def extra_repr(self) -> str:
            return "approximate={}".format(repr(self.approximate))

    return _module_class(GELU)


for _name in ("Identity", "Flatten", "SiLU", "Mish", "Hardswish"):
    NN_MODULES_ADDED.adapter("nn." + _name)((lambda n: lambda env: _native_or(env, "nn." + n))(_name))


def _unflatten_infers(env: Any) -> bool:
    """Does nn.Unflatten take a -1 size (inferred)? Not in 1.7-1.8."""
    return bool(
        env.behaves("nn-unflatten-infer", lambda t: tuple(t.nn.Unflatten(0, (2, -1))(t.zeros(4)).shape) == (2, 2))
    )


@NN_MODULES_ADDED.adapter("nn.Unflatten")
def _unflatten(env: Any) -> Resolution:
    if env.has("nn.Unflatten") and _unflatten_infers(env):
        return native(env.get("nn.Unflatten"))
    return backport(BACKPORTS["nn.Unflatten"](env.torch), "adds a -1 size" if env.has("nn.Unflatten") else "")


@NN_MODULES_ADDED.adapter("nn.GELU")
def _gelu_module(env: Any) -> Resolution:
    if env.has("nn.GELU") and _gelu_has_approximate(env):
        return native(env.get("nn.GELU"))
    return backport(BACKPORTS["nn.GELU"](env.torch), "adds approximate=" if env.has("nn.GELU") else "")


# -- nn.init ---------------------------------------------------------------------------------------


def _fans(tensor: Any) -> Tuple[int, int]:
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive = 1
    for s in tensor.shape[2:]:
        receptive *= int(s)
    return int(tensor.size(1)) * receptive, int(tensor.size(0)) * receptive


def _selu_gain_native(env: Any) -> bool:
    return bool(NN_INIT_SELU_GAIN.is_native(env))


@_builder("nn.init.calculate_gain")
def _build_calculate_gain(torch: Any) -> Callable[..., Any]:
    base = torch.nn.init.calculate_gain

    def calculate_gain(nonlinearity: str, param: Any = None) -> float:
        """``calculate_gain`` knowing ``'selu'`` (3/4) for torch < 1.8 (https://github.com/pytorch/pytorch/pull/50664).
        Remove when torch >= 1.8."""
        if nonlinearity == "selu":
            return 3.0 / 4
        return base(nonlinearity, param)

    return calculate_gain


def _build_kaiming(torch: Any, name: str) -> Callable[..., Any]:
    init = torch.nn.init
    base = getattr(init, name + "_", None) or getattr(init, name)
    gain_of = BACKPORTS["nn.init.calculate_gain"](torch)
    uniform = name == "kaiming_uniform"

    def kaiming_(tensor: Any, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu") -> Any:
        if nonlinearity != "selu":
            return base(tensor, a=a, mode=mode, nonlinearity=nonlinearity)
        mode = mode.lower()
        if mode not in ("fan_in", "fan_out"):
            raise ValueError("Mode {} not supported, please use one of fan_in, fan_out".format(mode))
        fan_in, fan_out = _fans(tensor)
        std = gain_of(nonlinearity, a) / math.sqrt(fan_in if mode == "fan_in" else fan_out)
        with torch.no_grad():
            if uniform:
                bound = math.sqrt(3.0) * std
                return tensor.uniform_(-bound, bound)
            return tensor.normal_(0, std)

    kaiming_.__name__ = kaiming_.__qualname__ = name + "_"
    kaiming_.__doc__ = (
        "``nn.init.%s_`` accepting ``nonlinearity='selu'`` for torch < 1.8\n"
        "(https://github.com/pytorch/pytorch/pull/50664). Remove when torch >= 1.8." % name
    )
    return kaiming_


_builder("nn.init.kaiming_uniform_")(lambda torch: _build_kaiming(torch, "kaiming_uniform"))
_builder("nn.init.kaiming_normal_")(lambda torch: _build_kaiming(torch, "kaiming_normal"))


@_builder("nn.init.trunc_normal_")
def _build_trunc_normal(torch: Any) -> Callable[..., Any]:
    def trunc_normal_(tensor: Any, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0) -> Any:
        """``nn.init.trunc_normal_`` for torch < 1.6 (https://github.com/pytorch/pytorch/pull/32397): inverse-CDF
        sampling of the normal(mean, std) truncated to [a, b]. Remove when torch >= 1.6."""

        def cdf(x: float) -> float:
            return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

        if mean < a - 2 * std or mean > b + 2 * std:
            warnings.warn(
                "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                "The distribution of values may be incorrect.",
                stacklevel=2,
            )
        with torch.no_grad():
            lo, hi = cdf((a - mean) / std), cdf((b - mean) / std)
            tensor.uniform_(2 * lo - 1, 2 * hi - 1)
            tensor.erfinv_()
            tensor.mul_(std * math.sqrt(2.0))
            tensor.add_(mean)
            tensor.clamp_(min=a, max=b)
            return tensor

    return trunc_normal_


def _init_resolver(name: str) -> Callable[[Any], Resolution]:
    def resolve(env: Any) -> Resolution:
        path = "nn.init." + name
        obj = env.get(path)
        if name in ("kaiming_uniform_", "kaiming_normal_") and not _selu_gain_native(env):
            if obj is MISSING and not env.has(path[:-1]):
                return unavailable("0.1", "torch.nn.init.%s is missing" % name)
            return backport(BACKPORTS[path](env.torch), "adds nonlinearity='selu'")
        if obj is not MISSING:
            return native(obj)
        if name == "trunc_normal_":
            return backport(BACKPORTS[path](env.torch))
        old = env.get(path[:-1])
        if old is not MISSING:
            # 0.3: the same in-place initialisers under their old names (https://github.com/pytorch/pytorch/pull/6093)
            return backport(old, "the torch 0.3 name %s" % name[:-1])
        return unavailable("0.4", "torch.nn.init.%s is missing" % name)

    return resolve


_INIT_RECORDS = {"trunc_normal_": NN_INIT_TRUNC_NORMAL, "kaiming_uniform_": NN_INIT_SELU_GAIN}
_INIT_RECORDS["kaiming_normal_"] = NN_INIT_SELU_GAIN
for _name in INIT_NAMES:
    _INIT_RECORDS.get(_name, NN_INIT_NO_UNDERSCORE).adapter("nn.init." + _name)(_init_resolver(_name))


@NN_INIT_SELU_GAIN.adapter("nn.init.calculate_gain")
def _calculate_gain(env: Any) -> Resolution:
    if _selu_gain_native(env):
        return native(env.get("nn.init.calculate_gain"))
    return backport(BACKPORTS["nn.init.calculate_gain"](env.torch), "adds 'selu'")


# -- nn.utils --------------------------------------------------------------------------------------


@_builder("nn.utils.clip_grad_norm_")
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


@NN_WEIGHT_NORM.adapter("nn.utils.weight_norm")
def _weight_norm(env: Any) -> Resolution:
    new = env.get("nn.utils.parametrizations.weight_norm")
    if new is not MISSING:
        return native(new)
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


# -- F.interpolate ---------------------------------------------------------------------------------

_LINEAR_MODES = ("linear", "bilinear", "trilinear")


def _interp_new_default(env: Any) -> bool:
    """Does ``recompute_scale_factor=None`` mean False (1.6+; True with a warning in 1.5)?"""

    def check(t: Any) -> bool:
        x = t.arange(5.0).view(1, 1, 5)
        F = t.nn.functional
        default = F.interpolate(x, scale_factor=1.5, mode="linear", align_corners=False)
        given = F.interpolate(x, scale_factor=1.5, mode="linear", align_corners=False, recompute_scale_factor=False)
        return bool(t.equal(default, given))

    return bool(env.behaves("nn-interp-new-default", check))


def _scale_list(scale_factor: Any, n: int) -> Any:
    if isinstance(scale_factor, (tuple, list)):
        if len(scale_factor) != n:
            raise ValueError(
                "Input and scale_factor must have the same number of spatial dimensions, but got input with "
                "spatial dimensions of {} and scale_factor of shape {}.".format(n, list(scale_factor))
            )
        return [float(s) for s in scale_factor]
    return [float(scale_factor)] * n


@_builder("nn.functional.interpolate")
def _build_interpolate(torch: Any) -> Callable[..., Any]:
    F = torch.nn.functional
    base = getattr(F, "interpolate", None)
    if base is None:
        base = F.upsample
    import inspect

    try:
        params = inspect.signature(base).parameters
    except (TypeError, ValueError):  # pragma: no cover - C builtins of very old releases
        params = {}
    has_align = "align_corners" in params
    has_recompute = "recompute_scale_factor" in params
    has_antialias = "antialias" in params

    def tuple_scales_ok() -> bool:
        """Do the kernels take per-dimension scales (1.6+), or only one float (1.5)? Probed at first need."""
        return bool(
            probe_env(torch).behaves(
                "nn-interp-tuple-scales",
                lambda t: base(t.zeros(1, 1, 2, 2), None, (2.0, 1.5), "nearest", None, False) is not None,
            )
        )

    def given_scale(input: Any, scales: Any, mode: str) -> Any:
        """Resample with the given scales used as they are (recompute_scale_factor=False) on kernels
        that only know output sizes: nearest and the linear modes, computed per dimension as torch's
        CPU kernels do (float index arithmetic in the input's precision)."""
        spatial = input.dim() - 2
        out = input
        # last dimension first, as torch's separable kernels combine them
        for i in reversed(range(spatial)):
            d = 2 + i
            n_in = int(input.size(d))
            n_out = int(math.floor(float(n_in) * scales[i]))
            dtype = input.dtype if input.is_floating_point() else torch.float32
            pos = torch.arange(n_out, dtype=torch.float64).to(dtype)
            scale = torch.tensor(1.0 / scales[i], dtype=torch.float64).to(dtype)
            if mode == "nearest":
                if n_out == n_in:
                    continue
                if n_out == 2 * n_in:
                    idx = torch.arange(n_out) // 2
                else:
                    idx = torch.floor(pos * scale).long().clamp(max=n_in - 1)
                out = out.index_select(d, idx.to(input.device))
                continue
            src = (scale * (pos + 0.5) - 0.5).clamp(min=0)
            i0 = src.long()
            lam1 = (src - i0.to(dtype)).clamp(min=0, max=1)
            lam0 = 1 - lam1
            i1 = i0 + (i0 < n_in - 1).long()
            shape = [1] * input.dim()
            shape[d] = n_out
            a = out.index_select(d, i0.to(input.device))
            b = out.index_select(d, i1.to(input.device))
            out = a * lam0.to(input.device).view(shape) + b * lam1.to(input.device).view(shape)
        return out

    def interpolate(
        input: Any,
        size: Any = None,
        scale_factor: Any = None,
        mode: str = "nearest",
        align_corners: Optional[bool] = None,
        recompute_scale_factor: Optional[bool] = None,
        antialias: bool = False,
    ) -> Any:
        """``F.interpolate`` with torch 2.x's arguments and defaults on older torch: ``align_corners``
        (0.4.1), ``recompute_scale_factor`` (1.5; default False from 1.6,
        https://github.com/pytorch/pytorch/pull/38362) and
        ``antialias`` (1.11; only False can be honoured before). Without ``recompute_scale_factor`` the
        old kernels recompute the scale from the sizes; when that changes the result (a non-integral
        output size), nearest and linear modes are computed here with the given scale.
        Remove when torch >= 1.11."""
        extra = {}
        if antialias:
            if not has_antialias:
                raise UnsupportedError(
                    "torchcompat.nn.functional.interpolate(antialias=True) needs torch >= 1.11; this is torch %s"
                    % torch.__version__
                )
            extra["antialias"] = True
        if has_recompute:
            if recompute_scale_factor is None and scale_factor is not None:
                # the 2.x default; said explicitly so that 1.5 does not recompute and 1.6-1.10 do not warn
                recompute_scale_factor = False
            per_dim = isinstance(scale_factor, (tuple, list)) and recompute_scale_factor is False and size is None
            if not per_dim or tuple_scales_ok():
                return base(input, size, scale_factor, mode, align_corners, recompute_scale_factor, **extra)
            # torch 1.5 hands a per-dimension scale tuple to kernels that take one float (a TypeError):
            # computed below as on 1.0-1.4
        elif not has_align:
            # torch 0.3 upsample: the linear modes always aligned corners, nearest ignores it
            if mode in _LINEAR_MODES and align_corners is not True:
                raise UnsupportedError(
                    "torchcompat.nn.functional.interpolate(mode=%r, align_corners=False) needs torch >= 0.4.1;"
                    " this is torch %s (pass align_corners=True for this release's behaviour)"
                    % (mode, torch.__version__)
                )
            return base(input, size, scale_factor, mode)
        if scale_factor is not None and size is None and not recompute_scale_factor:
            scales = _scale_list(scale_factor, input.dim() - 2)
            exact = all(float(n) * s == math.floor(float(n) * s) for n, s in zip(input.shape[2:], scales))
            if not exact and mode != "area" and not (mode in _LINEAR_MODES and align_corners):
                if mode == "nearest" or mode in _LINEAR_MODES:
                    return given_scale(input, scales, mode)
                raise UnsupportedError(
                    "torchcompat.nn.functional.interpolate(mode=%r) with a scale_factor giving a non-integral "
                    "output size and recompute_scale_factor=False/None needs torch >= 1.6; this is torch %s "
                    "(pass recompute_scale_factor=True for this release's behaviour)" % (mode, torch.__version__)
                )
        if has_recompute:  # 1.5: the output size is integral, so recomputing the scale changes nothing
            return base(input, size, scale_factor, mode, align_corners, True)
        return base(input, size, scale_factor, mode, align_corners)

    return interpolate


def _env_of(torch: Any) -> Any:
    from torchcompat.probe import TorchEnv

    return TorchEnv.of(torch)


@NN_INTERP_RECOMPUTE_SCALE.adapter("nn.functional.interpolate")
def _interpolate(env: Any) -> Resolution:
    path = "nn.functional.interpolate"
    if env.accepts(path, "antialias") and env.accepts(path, "recompute_scale_factor") and _interp_new_default(env):
        return native(env.get(path))
    if not env.has(path) and not env.has("nn.functional.upsample"):
        return unavailable("0.2", "torch.nn.functional.upsample is missing")
    return backport(BACKPORTS[path](env.torch))


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


# -- F.scaled_dot_product_attention ------------------------------------------------------------------


@_builder("nn.functional.scaled_dot_product_attention")
def _build_sdpa(torch: Any) -> Callable[..., Any]:
    dropout = torch.nn.functional.dropout
    softmax = torch.nn.functional.softmax
    mask_dtypes = tuple(getattr(torch, n) for n in ("bool", "uint8") if hasattr(torch, n))

    def scaled_dot_product_attention(
        query: Any,
        key: Any,
        value: Any,
        attn_mask: Any = None,
        dropout_p: float = 0.0,
        is_causal: bool = False,
        scale: Optional[float] = None,
        enable_gqa: bool = False,
    ) -> Any:
        """Reference (math) ``F.scaled_dot_product_attention`` for torch < 2.0, and for the ``scale``
        (2.1) and ``enable_gqa`` (2.5) arguments (https://github.com/pytorch/pytorch/pull/92189). A boolean mask
        (uint8 before
        torch 1.2) keeps the True positions, a float mask is added; rows with every key masked give 0,
        as torch >= 2.5 does. Remove when torch >= 2.5."""
        L, S = query.size(-2), key.size(-2)
        factor = 1.0 / math.sqrt(query.size(-1)) if scale is None else scale
        if enable_gqa and key.dim() >= 3 and query.size(-3) != key.size(-3):
            groups = query.size(-3) // key.size(-3)

            def repeat(t: Any) -> Any:
                shape = list(t.shape)
                t = t.unsqueeze(-3).expand(*(shape[:-2] + [groups] + shape[-2:]))
                return t.reshape(*(shape[:-3] + [shape[-3] * groups] + shape[-2:]))

            key, value = repeat(key), repeat(value)
        scores = torch.matmul(query, key.transpose(-2, -1)) * factor
        if is_causal:
            if attn_mask is not None:
                raise RuntimeError(
                    "_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True"
                )
            keep = torch.ones(L, S, dtype=query.dtype, device=query.device).tril()
            scores = scores.masked_fill(keep == 0, float("-inf"))
        elif attn_mask is not None:
            if attn_mask.dtype in mask_dtypes:
                scores = scores.masked_fill(attn_mask == 0, float("-inf"))
            else:
                scores = scores + attn_mask
        weights = softmax(scores, dim=-1)
        if is_causal or attn_mask is not None:
            dead = (scores == float("-inf")).sum(-1, keepdim=True) == S
            weights = weights.masked_fill(dead, 0.0)
        if dropout_p > 0.0:
            weights = dropout(weights, dropout_p, training=True)
        return torch.matmul(weights, value)

    return scaled_dot_product_attention


@NN_SDPA_BACKPORT.adapter("nn.functional.scaled_dot_product_attention")
def _sdpa(env: Any) -> Resolution:
    path = "nn.functional.scaled_dot_product_attention"
    reference = BACKPORTS[path](env.torch)
    base = env.get(path)
    if base is MISSING:
        return backport(reference, "reference (math) implementation")
    has_scale = env.accepts(path, "scale")
    if has_scale and env.accepts(path, "enable_gqa"):
        return native(base)

    def scaled_dot_product_attention(
        query: Any,
        key: Any,
        value: Any,
        attn_mask: Any = None,
        dropout_p: float = 0.0,
        is_causal: bool = False,
        scale: Optional[float] = None,
        enable_gqa: bool = False,
    ) -> Any:
        """torch's SDPA, with the reference implementation for ``scale`` (2.1) and ``enable_gqa`` (2.5)
        where this torch lacks them (https://github.com/pytorch/pytorch/pull/92189). Fully masked rows
        stay torch's own here (NaN before 2.5). Remove when torch >= 2.5."""
        if not enable_gqa or query.size(-3) == key.size(-3):
            if scale is None:
                return base(query, key, value, attn_mask, dropout_p, is_causal)
            if has_scale:
                return base(query, key, value, attn_mask, dropout_p, is_causal, scale=scale)
        return reference(query, key, value, attn_mask, dropout_p, is_causal, scale, enable_gqa)

    return backport(scaled_dot_product_attention, "scale / enable_gqa through the reference implementation")
