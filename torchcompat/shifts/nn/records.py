"""The torch.nn records (declarations only, no torch), and the name lists their adapters cover."""

from __future__ import annotations

from torchcompat.registry import declare

shift = declare("nn")

NN_SOFTMAX_IMPLICIT_DIM = shift(
    "nn-softmax-implicit-dim",
    "F.softmax(x) without dim → F.softmax(x, dim=...)",
    old="`F.softmax(x)`, `F.log_softmax(x)`, `nn.Softmax()`, `nn.LogSoftmax()`, `softmin` with no `dim`",
    new="explicit `dim=` (legacy rule: dim 0 if ndim ∈ {0,1,3}, else 1)",
    added="0.3",
    deprecated="0.3",
    strategy="codemod",
    notes='deprecated: 0.3 (UserWarning "Implicit dimension choice ... has been deprecated"); removed: still present (warns) as of 2.x. Silent change: YES: the heuristic picks dim 0 for 3-D inputs. How common: M (8 code hits)',
    kind="meaning",
)

NN_REDUCTION_KWARG = shift(
    "nn-reduction-kwarg",
    "size_average= / reduce= → reduction='mean' | 'sum' | 'none'",
    old="`nn.CrossEntropyLoss(size_average=False)`, `F.mse_loss(..., reduce=False)`",
    new="`reduction='sum'`, `'none'` or `'mean'`",
    added="0.4.1",
    deprecated="0.4.1",
    link="https://github.com/pytorch/pytorch/pull/8018",
    strategy="codemod",
    notes="Deprecation is a UserWarning; removed: still present (warns) as of 2.x. How common: H (10/12). "
    "Adapters: the 18 loss functions and 18 loss modules that take `reduction=` on 1.0.1 (api_probe + signature check): native on every installable release; before 0.4.1 (emulated) `reduction=` maps to `size_average`/`reduce`.",
    probe=lambda env: env.accepts("nn.functional.mse_loss", "reduction"),
    kind="spelling",
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
    notes="deprecated: 0.4.1 (PR #8748); still warned in 1.13; removed: un-deprecated later: in 2.x `F.sigmoid` just calls `input.sigmoid()` with no warning (version ?). How common: H (10/12 mostly warning reports)",
    kind="spelling",
)

NN_UPSAMPLE_FN = shift(
    "nn-upsample-fn",
    "F.upsample(...) → F.interpolate(..., mode=, align_corners=)",
    old="`F.upsample(...)`, `F.upsample_bilinear`, `F.upsample_nearest`",
    new="`F.interpolate(..., mode=, align_corners=)`",
    added="0.4.1",
    deprecated="0.4.1",
    strategy="alias",
    notes="Removed: still present (warns) as of 2.x. Silent change: `upsample_bilinear` implies `align_corners=True`. How common: M (6)",
    kind="spelling",
)

NN_UPSAMPLING_MODULES = shift(
    "nn-upsampling-modules",
    "nn.UpsamplingNearest2d → nn.Upsample(mode='nearest')",
    old="`nn.UpsamplingNearest2d`, `nn.UpsamplingBilinear2d`",
    new="`nn.Upsample(mode='nearest')`, `nn.Upsample(mode='bilinear', align_corners=True)`",
    added="0.4",
    strategy="codemod",
    notes='deprecated: deprecated per docs/TorchFix (PR "TBA"). Silent change: YES if replaced naively: the Bilinear2d module is align_corners=True. How common: ns (M)',
    kind="spelling",
)

NN_INTERP_ALIGN_CORNERS = shift(
    "nn-interp-align-corners",
    "bilinear upsampling without align_corners → align_corners=True keeps ≤0.3 results",
    old="bilinear/trilinear `nn.Upsample`/`F.interpolate` written for ≤0.3 without `align_corners`",
    new="`align_corners=True` reproduces ≤0.3 output",
    added="0.4",
    deprecated="0.4",
    strategy="codemod",
    notes='deprecated: 0.4.0 (warning "changed to align_corners=False since 0.4.0"). Silent change: YES: numeric half-pixel shift. How common: M (3 + many warning reports)',
    kind="meaning",
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
    kind="meaning",
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
    kind="meaning",
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
    notes="added: 0.4.0 (PR #6093); removed: still present (warns, `_make_deprecate`) as of 2.x. How common: M (7). Adapters `nn.init.<name>_` for the initialisers of torch 2.x: native where present (all but trunc_normal_ from 1.0.1), the old name as a backport on 0.3; kaiming_uniform_/kaiming_normal_ hang on nn-init-selu-gain (wrappers where 'selu' is unknown), trunc_normal_ on nn-init-trunc-normal. The `generator=` keyword (2.x) is not backported.",
    probe="nn.init.xavier_uniform_",
    kind="spelling",
)

NN_CLIP_GRAD_NORM = shift(
    "nn-clip-grad-norm",
    "nn.utils.clip_grad_norm(params, max_norm) → nn.utils.clip_grad_norm_",
    old="`nn.utils.clip_grad_norm(params, max_norm)`",
    new="`nn.utils.clip_grad_norm_`",
    added="0.4",
    deprecated="0.4",
    strategy="alias",
    notes="deprecated: 0.4.0 (FutureWarning via `@deprecated` in 2.x); removed: still present as of 2.x (verified in stored source). How common: ns (M). The adapter `nn.utils.clip_grad_norm_` hangs on nn-clip-grad-norm-kwargs (its arguments changed later).",
    probe="nn.utils.clip_grad_norm_",
    kind="spelling",
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
    notes="How common: ns (L)",
    kind="spelling",
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
    kind="spelling",
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
    notes="deprecated: 1.8 (warning). Silent change: YES: the old hook sees only the last op's grads for composite modules. How common: ns (L). Adapter `register_full_backward_hook(module, hook)`: the unbound method `nn.Module.register_full_backward_hook` (1.8+). Before 1.8 it is unavailable (UnsupportedError naming 1.8): the old hook is not equivalent, and 1.0-1.7 hooks cannot replace a module's inputs/outputs to insert the autograd boundaries a full hook needs.",
    probe="nn.Module.register_full_backward_hook",
    kind="meaning",
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
    notes="deprecated: 2.3 ? (PR #114689). How common: ns (L; TorchFix TOR101)",
    kind="spelling",
)

NN_SDPA_BACKPORT = shift(
    "nn-sdpa-backport",
    "hand-written attention, or SDPA-using code on <2.0 → F.scaled_dot_product_attention",
    old="hand-written attention, or SDPA-using code on <2.0",
    new="`F.scaled_dot_product_attention`",
    added="2.0",
    strategy="backport",
    notes="How common: ns. Adapter: native where it takes `scale` (2.1) and `enable_gqa` (2.5); on 2.0-2.4 torch's own unless those are used; below 2.0 a reference (math) implementation (bool/uint8 or float masks, is_causal, dropout, scale, enable_gqa; fully masked rows give 0 as in 2.5+), within 1e-6 of torch's own in float64.",
    link="https://github.com/pytorch/pytorch/pull/92189",
    probe=lambda env: env.accepts("nn.functional.scaled_dot_product_attention", "enable_gqa"),
    kind="spelling",
)

NN_PACKED_SEQ_CPU_LENGTHS = shift(
    "nn-packed-seq-cpu-lengths",
    "pack_padded_sequence(x, cuda_lengths) → lengths.cpu()",
    old="`pack_padded_sequence(x, lengths_cuda)`",
    new="`lengths.cpu()` or a Python list",
    removed="1.7",
    link="https://github.com/pytorch/pytorch/pull/43227",
    strategy="codemod",
    notes="removed: 1.7 (RuntimeError \"'lengths' argument should be a 1D CPU int64 tensor\"; pytorch#43227, by design). How common: M (7)",
    kind="meaning",
)

NN_BN_NUM_BATCHES_TRACKED = shift(
    "nn-bn-num-batches-tracked",
    "BatchNorm state_dicts from before 0.4.1 lack num_batches_tracked",
    old="loading pre-0.4.1 BN state_dicts (or dicts rebuilt without `_metadata`), or new dicts into old code",
    new="insert/drop `*.num_batches_tracked`, or `strict=False`",
    added="0.4.1",
    strategy="codemod",
    notes="A buffer since then. Silent change: strict-load errors; `momentum=None` (cumulative average) depends on it. How common: VH (10/12)"
    " No restore (issue #15): torch fills the missing key itself for state_dicts without version-2 metadata (every pre-0.4.1 file, and dicts rebuilt as plain dicts: measured on 2.13); what remains (key counts, zips over `state_dict().values()`) could only be restored by removing the buffer from every model, which changes them for all code.",
    kind="meaning",
)

NN_MODULE_BACKEND = shift(
    "nn-module-backend",
    "module._backend.Embedding.apply(...) (THNN function backend) → F.embedding(...)",
    old="`embed._backend.Embedding.apply(words, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq, "
    "sparse)` (AWD-LSTM-style embedding dropout, 2017)",
    new="`F.embedding(words, weight, None if padding_idx < 0 else padding_idx, max_norm, ...)`",
    removed="1.3",
    link="https://github.com/pytorch/pytorch/pull/25342",
    strategy="legacy-restore",
    verified=False,
    notes="0.3's `_backend.Embedding` was the autograd Function of torch/nn/_functions/thnn/sparse.py: its "
    "`padding_idx` was compared with the index values, so -1 (what nn.Embedding passed for None) meant no padding "
    "row, while `F.embedding(padding_idx=-1)` means the last row. The attribute still existed on 1.0.1 but "
    "`_backend.Embedding` raised NotImplementedError (measured); `Module._backend` itself went in 1.3 ? (PR #25342, "
    "absent on 1.8.1, measured). How common: M (AWD-LSTM and its many forks)",
    kind="spelling",
)

NN_MODULE_NAME_DOTS = shift(
    "nn-module-name-dots",
    "submodule or parameter names containing '.' are refused (0.4)",
    old='submodule/parameter names containing "."',
    new="rename",
    added="0.4",
    removed="0.4",
    strategy="codemod",
    notes="removed: 0.4.0 (KeyError). How common: ns (L)",
    kind="meaning",
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
    kind="spelling",
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
    kind="spelling",
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
    kind="spelling",
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
    kind="meaning",
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
    kind="meaning",
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
