"""TC883: ``init_process_group('tcp')`` (THD, gone in 1.0) -> ``'gloo'``."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import call_rule, keyword
from torchcompat.shifts.distributed import DIST_THD_BACKEND


@rule(
    "TC883",
    record=DIST_THD_BACKEND,
    emits=(),
    name="thd-backend",
    message="the THD 'tcp' backend was removed in torch {removed}: use 'gloo' (or 'nccl' on GPUs)",
    docs="init_process_group('tcp') -> init_process_group('gloo')",
    safe=False,
    nodes=(ast.Call,),
    hints=("init_process_group",),
)
@call_rule(["torch.distributed.init_process_group"])
def thd(call: ast.Call, ctx: Context, qual: str) -> None:
    backend = call.args[0] if call.args else getattr(keyword(call, "backend"), "value", None)
    if isinstance(backend, ast.Constant) and backend.value == "tcp":
        start, end = ctx.span(backend)
        ctx.report(call, edits=[(start, end, "'gloo'")])
