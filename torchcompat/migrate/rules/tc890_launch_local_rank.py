"""TC890: ``parser.add_argument("--local_rank")``: ``torch.distributed.launch`` passes ``--local-rank`` from 2.0
(torchrun: the ``LOCAL_RANK`` variable). Fix: also accept ``"--local-rank"`` (the dest stays ``local_rank``)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import const
from torchcompat.shifts.distributed import DIST_LAUNCH_LOCAL_RANK


@rule(
    "TC890",
    record=DIST_LAUNCH_LOCAL_RANK,
    emits=(),
    name="launch-local-rank",
    message="torch.distributed.launch passes --local-rank (not --local_rank) since torch {removed}, and torchrun "
    "passes none (read os.environ['LOCAL_RANK']): accept both spellings",
    docs='parser.add_argument("--local_rank", ...) -> parser.add_argument("--local_rank", "--local-rank", ...)',
    safe=True,
    nodes=(ast.Call,),
    hints=("local_rank",),
)
def launch_local_rank(call: ast.Call, ctx: Context) -> None:
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr != "add_argument" or ctx.qualname(func) is not None:
        return
    names = [const(a) for a in call.args]
    if "--local_rank" not in names or "--local-rank" in names:
        return
    first = call.args[names.index("--local_rank")]
    end = ctx.end(first)
    ctx.report(call, edits=[(end, end, ', "--local-rank"')])
