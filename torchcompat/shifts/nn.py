"""torch.nn shifts: modules, init names, functional changes, losses, hooks, attention.

Records generated from the shift catalogue; adapters, probes and notes are added beside them."""

from __future__ import annotations

from torchcompat.registry import declare

shift = declare("nn")

NN_SOFTMAX_IMPLICIT_DIM = shift(
    "nn-softmax-implicit-dim",
    "F.softmax(x), F.log_softmax(x), nn.Softmax(), nn.LogSoftmax( -> explicit dim= (legacy rule: dim 0 if ndim ∈ {0,1,3}, else 1)",
    old="`F.softmax(x)`, `F.log_softmax(x)`, `nn.Softmax()`, `nn.LogSoftmax()`, `softmin` with no `dim`",
    new="explicit `dim=` (legacy rule: dim 0 if ndim ∈ {0,1,3}, else 1)",
    added="0.3",
    deprecated="0.3",
    strategy="codemod",
    notes='added: 0.3; deprecated: 0.3 (UserWarning "Implicit dimension choice ... has been deprecated"); removed: still present (warns) as of 2.x. Silent change: YES: the heuristic picks dim 0 for 3-D inputs. How common: M (8 code hits)',
)

NN_REDUCTION_KWARG = shift(
    "nn-reduction-kwarg",
    "nn.CrossEntropyLoss(size_average=False), F.mse_loss(..., red -> reduction='sum', 'none' or 'mean'",
    old="`nn.CrossEntropyLoss(size_average=False)`, `F.mse_loss(..., reduce=False)`",
    new="`reduction='sum'`, `'none'` or `'mean'`",
    added="0.4",
    deprecated="0.4",
    link="https://github.com/pytorch/pytorch/pull/8018",
    strategy="codemod",
    notes="added: 0.4.1 (PR #8018); deprecated: 0.4.1 (UserWarning); removed: still present (warns) as of 2.x. How common: H (10/12)",
)

NN_F_SIGMOID_TANH = shift(
    "nn-F-sigmoid-tanh",
    "F.sigmoid(x), F.tanh(x) -> torch.sigmoid, torch.tanh",
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
    "F.upsample(...), F.upsample_bilinear, F.upsample_nearest -> F.interpolate(..., mode=, align_corners=)",
    old="`F.upsample(...)`, `F.upsample_bilinear`, `F.upsample_nearest`",
    new="`F.interpolate(..., mode=, align_corners=)`",
    added="0.4",
    deprecated="0.4",
    strategy="alias",
    notes="added: 0.4.1; deprecated: 0.4.1; removed: still present (warns) as of 2.x. Silent change: `upsample_bilinear` implies `align_corners=True`. How common: M (6)",
)

NN_UPSAMPLING_MODULES = shift(
    "nn-upsampling-modules",
    "nn.UpsamplingNearest2d, nn.UpsamplingBilinear2d -> nn.Upsample(mode='nearest'), nn.Upsample(mode='bilinear', al",
    old="`nn.UpsamplingNearest2d`, `nn.UpsamplingBilinear2d`",
    new="`nn.Upsample(mode='nearest')`, `nn.Upsample(mode='bilinear', align_corners=True)`",
    added="0.4",
    strategy="codemod",
    notes='added: 0.4.0; deprecated: deprecated per docs/TorchFix (PR "TBA"); removed: still present as of 2.x. Silent change: YES if replaced naively: the Bilinear2d module is align_corners=True. How common: ns (M)',
)

NN_INTERP_ALIGN_CORNERS = shift(
    "nn-interp-align-corners",
    "bilinear/trilinear nn.Upsample/F.interpolate written for ≤0. -> align_corners=True reproduces ≤0.3 output",
    old="bilinear/trilinear `nn.Upsample`/`F.interpolate` written for ≤0.3 without `align_corners`",
    new="`align_corners=True` reproduces ≤0.3 output",
    added="0.4",
    deprecated="0.4",
    strategy="codemod",
    notes='added: 0.4.0; deprecated: 0.4.0 (warning "changed to align_corners=False since 0.4.0"); removed: —. Silent change: YES: numeric half-pixel shift. How common: M (3 + many warning reports)',
)

NN_GRID_SAMPLE_ALIGN = shift(
    "nn-grid-sample-align",
    "F.grid_sample(x, g), F.affine_grid(theta, size) -> align_corners=True keeps the pre-change behaviour",
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
    "F.interpolate(x, scale_factor=1.5), nn.Upsample(scale_factor -> recompute_scale_factor=True to keep ≤1.5 behaviour",
    old="`F.interpolate(x, scale_factor=1.5)`, `nn.Upsample(scale_factor=float)`",
    new="`recompute_scale_factor=True` to keep ≤1.5 behaviour",
    added="1.5",
    deprecated="1.5",
    removed="1.6",
    link="https://github.com/pytorch/pytorch/pull/38362",
    strategy="codemod",
    verified=False,
    notes="added: 1.5 ? (F), 1.7 ? (`nn.Upsample` arg); deprecated: 1.5 (warning); removed: 1.6 default change (PR #38362). Silent change: YES: the scale is used directly instead of recomputed from size → different sample positions. How common: M (4)",
)

NN_INIT_NO_UNDERSCORE = shift(
    "nn-init-no-underscore",
    "nn.init.xavier_uniform(w), kaiming_normal, normal, constant, -> xavier_uniform_(w), etc.",
    old="`nn.init.xavier_uniform(w)`, `kaiming_normal`, `normal`, `constant`, `uniform`, ...",
    new="`xavier_uniform_(w)`, etc.",
    added="0.4",
    deprecated="0.4",
    link="https://github.com/pytorch/pytorch/pull/6093",
    strategy="alias",
    notes="added: 0.4.0 (PR #6093); deprecated: 0.4.0; removed: still present (warns, `_make_deprecate`) as of 2.x. How common: M (7)",
)

NN_CLIP_GRAD_NORM = shift(
    "nn-clip-grad-norm",
    "nn.utils.clip_grad_norm(params, max_norm) -> nn.utils.clip_grad_norm_",
    old="`nn.utils.clip_grad_norm(params, max_norm)`",
    new="`nn.utils.clip_grad_norm_`",
    added="0.4",
    deprecated="0.4",
    strategy="alias",
    notes="added: 0.4.0; deprecated: 0.4.0 (FutureWarning via `@deprecated` in 2.x); removed: still present as of 2.x (verified in stored source). How common: ns (M)",
)

NN_NLLLOSS2D = shift(
    "nn-nllloss2d",
    "nn.NLLLoss2d -> nn.NLLLoss (handles N-d)",
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
    "nn.utils.weight_norm(m), remove_weight_norm, m.weight_g/m.we -> nn.utils.parametrizations.weight_norm(m), parametrize.remove",
    old="`nn.utils.weight_norm(m)`, `remove_weight_norm`, `m.weight_g`/`m.weight_v`",
    new="`nn.utils.parametrizations.weight_norm(m)`, `parametrize.remove_parametrizations(m,'weight')`, `m.parametrizations.weight.original0/1`",
    added="2.1",
    deprecated="2.1",
    link="https://github.com/pytorch/pytorch/pull/103001",
    strategy="codemod",
    notes="added: 2.1 (PR #103001); deprecated: 2.1 (UserWarning, later FutureWarning); removed: still present as of 2.12 docs. Silent change: YES: the weight is recomputed on every access; state_dict keys renamed (the new API still loads old keys). How common: M (9)",
)

NN_BACKWARD_HOOK = shift(
    "nn-backward-hook",
    "module.register_backward_hook(fn) -> register_full_backward_hook(fn)",
    old="`module.register_backward_hook(fn)`",
    new="`register_full_backward_hook(fn)`",
    added="1.8",
    deprecated="1.8",
    strategy="warn-only",
    verified=False,
    notes="added: 1.8; deprecated: 1.8 (warning); removed: still present ?. Silent change: YES: the old hook sees only the last op's grads for composite modules. How common: ns (L)",
)

NN_SDP_KERNEL = shift(
    "nn-sdp-kernel",
    "torch.backends.cuda.sdp_kernel(enable_flash=..., enable_math -> torch.nn.attention.sdpa_kernel([SDPBackend.FLASH_ATTENTION, ",
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
    "hand-written attention, or SDPA-using code on <2.0 -> F.scaled_dot_product_attention",
    old="hand-written attention, or SDPA-using code on <2.0",
    new="`F.scaled_dot_product_attention`",
    added="2.0",
    strategy="backport",
    notes="added: 2.0; deprecated: —; removed: —. How common: ns",
)

NN_PACKED_SEQ_CPU_LENGTHS = shift(
    "nn-packed-seq-cpu-lengths",
    "pack_padded_sequence(x, lengths_cuda) -> lengths.cpu() or a Python list",
    old="`pack_padded_sequence(x, lengths_cuda)`",
    new="`lengths.cpu()` or a Python list",
    removed="1.7",
    link="https://github.com/pytorch/pytorch/pull/43227",
    strategy="legacy-restore",
    notes="added: —; deprecated: —; removed: 1.7 (RuntimeError \"'lengths' argument should be a 1D CPU int64 tensor\"; pytorch#43227, by design). How common: M (7)",
)

NN_BN_NUM_BATCHES_TRACKED = shift(
    "nn-bn-num-batches-tracked",
    "loading pre-0.4.1 BN state_dicts (or dicts rebuilt without _ -> insert/drop *.num_batches_tracked, or strict=False",
    old="loading pre-0.4.1 BN state_dicts (or dicts rebuilt without `_metadata`), or new dicts into old code",
    new="insert/drop `*.num_batches_tracked`, or `strict=False`",
    added="0.4",
    strategy="legacy-restore",
    notes="added: 0.4.1 (buffer); deprecated: —; removed: —. Silent change: strict-load errors; `momentum=None` (cumulative average) depends on it. How common: VH (10/12)",
)

NN_MODULE_NAME_DOTS = shift(
    "nn-module-name-dots",
    'submodule/parameter names containing "." -> rename',
    old='submodule/parameter names containing "."',
    new="rename",
    added="0.4",
    removed="0.4",
    strategy="codemod",
    notes="added: 0.4.0; deprecated: —; removed: 0.4.0 (KeyError). How common: ns (L)",
)
