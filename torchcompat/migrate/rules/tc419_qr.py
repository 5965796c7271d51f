"""TC419: torch.qr(A) -> torch.linalg.qr(A); torch.qr(A, some=False) -> torch.linalg.qr(A, mode='complete')."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import arg_src, replace_call
from torchcompat.migrate.rules._linalg import linalg
from torchcompat.migrate.rules._queries import UNKNOWN, bind, call_rule, const
from torchcompat.shifts.linalg import LA_QR


@rule(
    "TC419",
    record=LA_QR,
    name="qr",
    message="torch.qr is deprecated: use torch.linalg.qr (some=False is mode='complete')",
    docs="torch.qr(A) -> torch.linalg.qr(A); torch.qr(A, some=False) -> torch.linalg.qr(A, mode='complete')",
    safe=True,
    portable="adapter",
    nodes=(ast.Call, ast.ImportFrom),
    hints=("qr",),
)
@call_rule(["torch.qr"], imports=True)
def qr(call: ast.Call, ctx: Context, qual: str) -> None:
    args = bind(call, ["input", "some"])
    some = const(args.get("some"), True) if args is not None else UNKNOWN
    if args is None or "input" not in args or some is UNKNOWN:
        ctx.report(call)
        return
    mode = "" if some else ", mode='complete'"
    ctx.report(call, edits=replace_call(ctx, call, "%s(%s%s)" % (linalg(ctx, "qr"), arg_src(ctx, args["input"]), mode)))
