"""TC412: torch.symeig(A, eigenvectors=True) -> torch.linalg.eigh(A, UPLO='U'); e, _ = torch.symeig(A) -> e =
torch.linalg.eigvalsh(A, UPLO='U') (symeig read the upper triangle by default)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import arg_src, first_of_pair, replace_call
from torchcompat.migrate.rules._linalg import linalg
from torchcompat.migrate.rules._queries import UNKNOWN, bind, call_rule, const
from torchcompat.shifts.linalg import LA_SYMEIG


@rule(
    "TC412",
    record=LA_SYMEIG,
    name="symeig",
    message="torch.symeig was removed in torch {removed}: use torch.linalg.eigh / eigvalsh",
    docs="torch.symeig(A, eigenvectors=True) -> torch.linalg.eigh(A, UPLO='U'); e, _ = torch.symeig(A) -> "
    "e = torch.linalg.eigvalsh(A, UPLO='U') (symeig read the upper triangle by default)",
    safe=True,
    portable="adapter",
    nodes=(ast.Call, ast.ImportFrom),
    hints=("symeig",),
)
@call_rule(["torch.symeig"], imports=True)
def symeig(call: ast.Call, ctx: Context, qual: str) -> None:
    args = bind(call, ["input", "eigenvectors", "upper"])
    if args is None or "input" not in args:
        ctx.report(call)
        return
    vectors = const(args.get("eigenvectors"), False)
    upper = const(args.get("upper"), True)
    if vectors is UNKNOWN or upper is UNKNOWN:
        ctx.report(
            call,
            message="eigenvectors=/upper= are not literals: rewrite by hand to torch.linalg.eigh(A, "
            "UPLO='U') or eigvalsh",
        )
        return
    uplo = "'U'" if upper else "'L'"
    a = arg_src(ctx, args["input"])
    if vectors:
        ctx.report(call, edits=replace_call(ctx, call, "%s(%s, UPLO=%s)" % (linalg(ctx, "eigh"), a, uplo)))
        return
    edits = first_of_pair(ctx, call, "%s(%s, UPLO=%s)" % (linalg(ctx, "eigvalsh"), a, uplo))
    if edits is None:
        ctx.report(
            call,
            message="torch.symeig(A) without eigenvectors returned (e, empty): use "
            "torch.linalg.eigvalsh(A, UPLO='U') for e",
        )
        return
    ctx.report(call, edits=edits)
