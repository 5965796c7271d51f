"""torch.distributed shifts: collectives renamed, launchers, reduce ops.

Records generated from the shift catalogue; adapters, probes and notes are added beside them."""

from __future__ import annotations

from torchcompat.registry import declare

shift = declare("distributed")

DIST_LAUNCH_LOCAL_RANK = shift(
    "dist-launch-local-rank",
    "python -m torch.distributed.launch + argparse --local_rank -> torchrun + os.environ['LOCAL_RANK']",
    old="`python -m torch.distributed.launch` + `argparse --local_rank`",
    new="`torchrun` + `os.environ['LOCAL_RANK']`; accept both `--local-rank` and `--local_rank`",
    added="1.10",
    deprecated="1.10",
    removed="2.0",
    strategy="codemod",
    verified=False,
    notes='added: 1.10 (`torchrun`); deprecated: 1.10 ? (FutureWarning "torch.distributed.launch is deprecated"); removed: 2.0: launcher passes `--local-rank` (hyphen) → "unrecognized arguments". How common: M (9)',
)

DIST_ALLGATHER_CHAIN = shift(
    "dist-allgather-chain",
    "dist._all_gather_base(out, inp), dist._reduce_scatter_base -> dist.all_gather_into_tensor / reduce_scatter_tensor (1.13) →",
    old="`dist._all_gather_base(out, inp)`, `dist._reduce_scatter_base`",
    new="`dist.all_gather_into_tensor` / `reduce_scatter_tensor` (1.13) → `dist.all_gather_single` / `reduce_scatter_single` (2.13)",
    added="1.13",
    deprecated="2.0",
    strategy="alias",
    verified=False,
    notes="added: 1.13; 2.13; deprecated: `_base`: warning ~2.0 (FutureWarning by 2.4) ?; `all_gather_into_tensor`/`reduce_scatter_tensor`: 2.13 (FutureWarning); removed: still present as of 2.13. How common: M (DeepSpeed, Megatron, accelerate, Lightning users)",
)

DIST_REDUCE_OP = shift(
    "dist-reduce-op",
    "dist.reduce_op.SUM -> dist.ReduceOp.SUM",
    old="`dist.reduce_op.SUM`",
    new="`dist.ReduceOp.SUM`",
    added="1.0",
    deprecated="1.0",
    strategy="alias",
    verified=False,
    notes="added: 1.0 ?; deprecated: 1.0 ?; removed: still present ?. How common: ns (L)",
)

DIST_THD_BACKEND = shift(
    "dist-thd-backend",
    "init_process_group(backend='tcp'), torch.distributed.depreca -> 'gloo' / 'nccl'",
    old="`init_process_group(backend='tcp')`, `torch.distributed.deprecated`",
    new="`'gloo'` / `'nccl'`",
    added="1.0",
    deprecated="1.0",
    removed="1.0",
    strategy="codemod",
    verified=False,
    notes="added: 1.0 (c10d); deprecated: 1.0 ?; removed: 1.0/1.1 ?. How common: ns (L)",
)
