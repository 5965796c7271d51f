"""TC413: e, _ = torch.eig(A) -> e = torch.view_as_real(torch.linalg.eigvals(A)) (keeps the (n, 2) real layout);
eigenvectors=True: by hand (the old real-packed vectors have no direct equivalent)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import arg_src, first_of_pair, replace_call
from torchcompat.migrate.rules._linalg import linalg
from torchcompat.migrate.rules._queries import UNKNOWN, bind, call_rule, const
from torchcompat.shifts.linalg import LA_EIG


@rule(
    "TC413",
    record=LA_EIG,
    name="eig",
    message="torch.eig was removed in torch {removed}: use torch.linalg.eigvals / eig (complex results)",
    docs="e, _ = torch.eig(A) -> e = torch.view_as_real(torch.linalg.eigvals(A)) (keeps the (n, 2) real layout); "
    "eigenvectors=True: by hand (the old real-packed vectors have no direct equivalent)",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("eig",),
)
@call_rule(["torch.eig"])
def eig(call: ast.Call, ctx: Context, qual: str) -> None:
    args = bind(call, ["input", "eigenvectors"])
    if ctx.portable and args is not None and "input" in args:
        # tc.linalg.eig_legacy keeps torch.eig's (n, 2) values and packed vectors on every release.
        vectors = ", eigenvectors=%s" % arg_src(ctx, args["eigenvectors"]) if "eigenvectors" in args else ""
        new = "%s(%s%s)" % (ctx.tc("linalg.eig_legacy"), arg_src(ctx, args["input"]), vectors)
        ctx.report(call, edits=replace_call(ctx, call, new))
        return
    vectors = const(args.get("eigenvectors"), False) if args is not None else UNKNOWN
    if args is None or "input" not in args or vectors is not False:
        ctx.report(
            call,
            message="torch.eig(A, eigenvectors=True) was removed in torch {removed}: use torch.linalg.eig(A) "
            "(complex eigenvalues and eigenvectors) and adapt the code reading them",
        )
        return
    new = "%s(%s(%s))" % (ctx.torch("view_as_real"), linalg(ctx, "eigvals"), arg_src(ctx, args["input"]))
    edits = first_of_pair(ctx, call, new)
    if edits is None:
        ctx.report(
            call,
            message="torch.eig(A) returned (e, empty) with e of shape (n, 2): use "
            "torch.view_as_real(torch.linalg.eigvals(A)) for e",
        )
        return
    ctx.report(call, edits=edits)
