"""TC150: checkpoint(fn, x) -> checkpoint(fn, x, use_reentrant=True) (the variant older releases ran; --portable:
tc.checkpoint(fn, x, use_reentrant=True))."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import call_rule, keyword
from torchcompat.shifts.func import AG_CHECKPOINT_REENTRANT


@rule(
    "TC150",
    record=AG_CHECKPOINT_REENTRANT,
    name="checkpoint-use-reentrant",
    message="torch.utils.checkpoint.checkpoint without use_reentrant= warns since torch {deprecated} (an error is announced)",
    docs="checkpoint(fn, x) -> checkpoint(fn, x, use_reentrant=True) (the variant older releases ran; "
    "--portable: tc.checkpoint(fn, x, use_reentrant=True))",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("checkpoint",),
)
@call_rule(["torch.utils.checkpoint.checkpoint"])
def checkpoint(call: ast.Call, ctx: Context, qual: str) -> None:
    if keyword(call, "use_reentrant") is not None or any(k.arg is None for k in call.keywords):
        return
    edits = [ctx.append_arguments(call, "use_reentrant=True")]
    if ctx.portable:
        start, end = ctx.span(call.func)
        edits.append((start, end, ctx.tc("checkpoint")))
    ctx.report(call, edits=edits)
