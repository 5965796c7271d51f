"""Mixed precision and CUDA-setting shifts: torch.cuda.amp -> torch.amp, TF32, memory names.

Records generated from the shift catalogue; adapters, probes and notes are added beside them."""

from __future__ import annotations

from torchcompat.registry import declare

shift = declare("amp")

AMP_CUDA_AUTOCAST = shift(
    "amp-cuda-autocast",
    "torch.cuda.amp.autocast(enabled=, dtype=) -> torch.amp.autocast('cuda', ...) / torch.autocast('cuda', ...",
    old="`torch.cuda.amp.autocast(enabled=, dtype=)`",
    new="`torch.amp.autocast('cuda', ...)` / `torch.autocast('cuda', ...)`",
    added="1.10",
    deprecated="2.4",
    strategy="alias",
    notes="added: 1.10 (`torch.autocast`); deprecated: 2.4 (FutureWarning); removed: still present as of 2.x. How common: VH (12/12)",
)

AMP_CPU_AUTOCAST = shift(
    "amp-cpu-autocast",
    "torch.cpu.amp.autocast() -> torch.amp.autocast('cpu')",
    old="`torch.cpu.amp.autocast()`",
    new="`torch.amp.autocast('cpu')`",
    added="1.10",
    deprecated="2.4",
    strategy="alias",
    notes="added: 1.10; deprecated: 2.4; removed: still present. How common: ns (M)",
)

AMP_GRADSCALER = shift(
    "amp-gradscaler",
    "torch.cuda.amp.GradScaler() -> torch.amp.GradScaler('cuda') / torch.GradScaler('cuda')",
    old="`torch.cuda.amp.GradScaler()`; private `from torch.cuda.amp.grad_scaler import OptState, _refresh_per_optimizer_state`",
    new="`torch.amp.GradScaler('cuda')` / `torch.GradScaler('cuda')`",
    added="2.3",
    deprecated="2.4",
    removed="2.3",
    strategy="alias",
    notes="added: 2.3; deprecated: 2.4 (FutureWarning); removed: private helpers moved in 2.3 (ImportError, hivemind#610). How common: H (5 repos in one query: nnUNet, hivemind, ultralytics, tabicl, ColossalAI)",
)

AMP_CUSTOM_FWD = shift(
    "amp-custom-fwd",
    "@torch.cuda.amp.custom_fwd(cast_inputs=...), custom_bwd -> @torch.amp.custom_fwd(device_type='cuda', ...)",
    old="`@torch.cuda.amp.custom_fwd(cast_inputs=...)`, `custom_bwd`",
    new="`@torch.amp.custom_fwd(device_type='cuda', ...)`",
    added="2.4",
    deprecated="2.4",
    strategy="alias",
    notes="added: 2.4; deprecated: 2.4; removed: still present. Silent change: — (migrated code hits AttributeError on <2.4). How common: ns (M)",
)

CUDA_TF32_DEFAULT = shift(
    "cuda-tf32-default",
    "Ampere+ fp32 matmul speed/accuracy that relied on TF32 being -> set torch.backends.cuda.matmul.allow_tf32 or torch.set_float",
    old="Ampere+ fp32 matmul speed/accuracy that relied on TF32 being on by default",
    new="set `torch.backends.cuda.matmul.allow_tf32` or `torch.set_float32_matmul_precision('high')` explicitly",
    added="1.7",
    removed="1.12",
    strategy="warn-only",
    notes="added: 1.7 (TF32 on by default); 1.12 (`set_float32_matmul_precision`); deprecated: —; removed: 1.12: matmul default flipped to False (cuDNN conv stays True). Silent change: YES: speed drop / precision change with no error. How common: M (5)",
)

CUDA_TF32_API = shift(
    "cuda-tf32-api",
    "torch.backends.cuda.matmul.allow_tf32 = True, torch.backends -> torch.backends.cuda.matmul.fp32_precision = 'tf32' (or 'ieee",
    old="`torch.backends.cuda.matmul.allow_tf32 = True`, `torch.backends.cudnn.allow_tf32`",
    new="`torch.backends.cuda.matmul.fp32_precision = 'tf32'` (or `'ieee'`), `torch.backends.cudnn.conv.fp32_precision`",
    added="2.9",
    deprecated="2.9",
    strategy="alias",
    notes='added: 2.9; deprecated: 2.9 (UserWarning "will be deprecated after Pytorch 2.9"; also fired by `get_float32_matmul_precision`); removed: still present as of 2.x. How common: H (9/12)',
)

CUDA_MEMORY_CACHED = shift(
    "cuda-memory-cached",
    "torch.cuda.memory_cached(), max_memory_cached() -> memory_reserved(), max_memory_reserved()",
    old="`torch.cuda.memory_cached()`, `max_memory_cached()`",
    new="`memory_reserved()`, `max_memory_reserved()`",
    added="1.4",
    deprecated="1.4",
    strategy="alias",
    verified=False,
    notes="added: 1.4; deprecated: 1.4 ?; removed: still present ?. How common: ns (L)",
)
