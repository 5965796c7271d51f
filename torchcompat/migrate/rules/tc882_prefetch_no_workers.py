"""TC882: ``DataLoader(..., prefetch_factor=k)`` without workers (no ``num_workers`` or a literal 0): a ValueError
since 2.0. Fix: drop ``prefetch_factor`` (it does nothing without workers)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import call_rule, const, keyword
from torchcompat.shifts.data import DATA_PREFETCH_NO_WORKERS


@rule(
    "TC882",
    record=DATA_PREFETCH_NO_WORKERS,
    emits=(),
    name="prefetch-no-workers",
    message="DataLoader(prefetch_factor=...) without workers raises since torch {removed}: drop prefetch_factor",
    docs="DataLoader(ds, prefetch_factor=2) -> DataLoader(ds)",
    safe=True,
    nodes=(ast.Call,),
    hints=("prefetch_factor",),
)
@call_rule(["torch.utils.data.DataLoader", "torch.utils.data.dataloader.DataLoader"])
def prefetch(call: ast.Call, ctx: Context, qual: str) -> None:
    factor = keyword(call, "prefetch_factor")
    if factor is None or const(factor.value) is None or any(k.arg is None for k in call.keywords):
        return
    if len(call.args) > 1:
        return  # num_workers may be positional
    workers = keyword(call, "num_workers")
    if workers is not None and const(workers.value) != 0:
        return
    edit = ctx.remove_argument(call, factor)
    if edit is not None:
        ctx.report(call, edits=[edit])
