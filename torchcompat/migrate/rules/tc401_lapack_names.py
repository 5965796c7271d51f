"""TC401-TC408: the LAPACK-era names (``gels``, ``gesv``, ``potrf``, ``potrs``, ``potri``, ``trtrs``,
``btrifact``, ``btrisolve``), gone since torch 1.2/1.3, -> ``torch.linalg`` with the arguments
reordered (``(B, A)`` -> ``(A, B)``) and the result tuples adapted.

Where the old function returned ``(X, extra)`` and the new one returns ``X``, the fix applies only
where the use proves ``extra`` is not read (``f(...)[0]``, ``X, _ = f(...)``); elsewhere a finding
without a fix. ``--portable`` writes the ``tc.linalg`` adapters, which run on every release."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import arg_src, receiver_text, replace_call
from torchcompat.migrate.rules._linalg import (
    cholesky_call,
    linalg,
    lstsq_like,
    solve_like,
    transposed,
    triangular,
    upper_flag,
)
from torchcompat.migrate.rules._queries import UNKNOWN, bind, call_rule, is_simple
from torchcompat.shifts.linalg import (
    LA_CHOLESKY,
    LA_LAPACK_NAMES,
    LA_LSTSQ,
    LA_LU,
    LA_LU_SOLVE,
    LA_SOLVE,
    LA_TRIANGULAR_SOLVE,
)


@rule(
    "TC401",
    record=LA_LAPACK_NAMES,
    emits=(LA_LSTSQ,),
    name="gels",
    message="torch.gels was removed in torch {removed}: use torch.linalg.lstsq(A, B)",
    docs="X, _ = torch.gels(B, A) / torch.gels(B, A)[0] -> torch.linalg.lstsq(A, B).solution (the old X was "
    "padded to max(m, n) rows; the new solution has n rows)",
    safe=False,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("gels",),
)
@call_rule(["torch.gels"])
def gels(call: ast.Call, ctx: Context, qual: str) -> None:
    lstsq_like(call, ctx, "gels")


@rule(
    "TC402",
    record=LA_LAPACK_NAMES,
    emits=(LA_SOLVE,),
    name="gesv",
    message="torch.gesv was removed in torch {removed}: use torch.linalg.solve(A, B)",
    docs="X, _ = torch.gesv(B, A) -> X = torch.linalg.solve(A, B) (arguments reversed; the LU factor is dropped)",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("gesv",),
)
@call_rule(["torch.gesv"])
def gesv(call: ast.Call, ctx: Context, qual: str) -> None:
    solve_like(call, ctx, "gesv")


@rule(
    "TC403",
    record=LA_LAPACK_NAMES,
    emits=(LA_CHOLESKY,),
    name="potrf",
    message="torch.potrf was removed in torch {removed}: use torch.linalg.cholesky (upper: its .mH)",
    docs="torch.potrf(A) -> torch.linalg.cholesky(A).mH (potrf's default is upper=True); "
    "torch.potrf(A, upper=False) -> torch.linalg.cholesky(A)",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("potrf",),
)
@call_rule(["torch.potrf"])
def potrf(call: ast.Call, ctx: Context, qual: str) -> None:
    cholesky_call(call, ctx, ["a", "upper"], True)


@rule(
    "TC404",
    record=LA_LAPACK_NAMES,
    name="potrs",
    message="torch.potrs was removed in torch {removed}: use torch.cholesky_solve (whose default is upper=False)",
    docs="torch.potrs(b, u) -> torch.cholesky_solve(b, u, upper=True) (--portable: two "
    "tc.linalg.solve_triangular calls)",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("potrs",),
)
@call_rule(["torch.potrs"])
def potrs(call: ast.Call, ctx: Context, qual: str) -> None:
    args = bind(call, ["b", "u", "upper"])
    if args is None or not {"b", "u"} <= set(args):
        ctx.report(call)
        return
    upper = upper_flag(args, True)
    if upper is UNKNOWN:
        ctx.report(call, message="upper= is not a literal: rewrite by hand to torch.cholesky_solve(b, u, upper=...)")
        return
    b, u = arg_src(ctx, args["b"]), arg_src(ctx, args["u"])
    if not ctx.portable:
        new = "%s(%s, %s, upper=%s)" % (ctx.torch("cholesky_solve"), b, u, bool(upper))
    else:
        if not is_simple(args["u"]):
            ctx.report(call, message="torch.potrs(b, u): --portable needs u twice; bind it to a name first")
            return
        st = linalg(ctx, "solve_triangular")
        ut = transposed(ctx, args["u"])
        if upper:  # A = U^T U: solve U^T y = b, then U x = y
            new = "%s(%s, %s(%s, %s, upper=False), upper=True)" % (st, u, st, ut, b)
        else:  # A = L L^T: solve L y = b, then L^T x = y
            new = "%s(%s, %s(%s, %s, upper=False), upper=True)" % (st, ut, st, u, b)
    ctx.report(call, edits=replace_call(ctx, call, new))


@rule(
    "TC405",
    record=LA_LAPACK_NAMES,
    name="potri",
    message="torch.potri was removed in torch {removed}: use torch.cholesky_inverse",
    docs="torch.potri(u) -> torch.cholesky_inverse(u, upper=True) (--portable: tc.cholesky_inverse)",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("potri",),
)
@call_rule(["torch.potri"])
def potri(call: ast.Call, ctx: Context, qual: str) -> None:
    args = bind(call, ["u", "upper"])
    upper = upper_flag(args, True) if args is not None else UNKNOWN
    if args is None or "u" not in args or upper is UNKNOWN:
        ctx.report(call)
        return
    fn = ctx.tc("cholesky_inverse") if ctx.portable else ctx.torch("cholesky_inverse")
    new = "%s(%s, upper=%s)" % (fn, arg_src(ctx, args["u"]), bool(upper))
    ctx.report(call, edits=replace_call(ctx, call, new))


@rule(
    "TC406",
    record=LA_LAPACK_NAMES,
    emits=(LA_TRIANGULAR_SOLVE,),
    name="trtrs",
    message="torch.trtrs was removed in torch {removed}: use torch.linalg.solve_triangular(A, b, upper=...)",
    docs="torch.trtrs(b, A)[0] -> torch.linalg.solve_triangular(A, b, upper=True) (trtrs's default is "
    "upper=True; transpose=True transposes A and flips upper)",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("trtrs",),
)
@call_rule(["torch.trtrs"])
def trtrs(call: ast.Call, ctx: Context, qual: str) -> None:
    triangular(call, ctx, "trtrs")


@rule(
    "TC407",
    record=LA_LAPACK_NAMES,
    emits=(LA_LU,),
    name="btrifact",
    message="torch.btrifact was removed in torch {removed}: use torch.linalg.lu_factor",
    docs="LU, piv = torch.btrifact(A) -> torch.linalg.lu_factor(A); btrifact_with_info -> lu_factor_ex",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("btrifact*",),
)
@call_rule(["torch.btrifact", "torch.btrifact_with_info"])
def btrifact(call: ast.Call, ctx: Context, qual: str) -> None:
    args = bind(call, ["A", "pivot"])
    if args is None or "A" not in args or (qual.endswith("_info") and ctx.portable):
        ctx.report(call)
        return
    pivot = ", pivot=%s" % arg_src(ctx, args["pivot"]) if "pivot" in args else ""
    name = "lu_factor_ex" if qual.endswith("_info") else "lu_factor"
    new = "%s(%s%s)" % (linalg(ctx, name), arg_src(ctx, args["A"]), pivot)
    ctx.report(call, edits=replace_call(ctx, call, new))


@rule(
    "TC408",
    record=LA_LAPACK_NAMES,
    emits=(LA_LU_SOLVE,),
    name="btrisolve",
    message="torch.btrisolve was removed in torch {removed}: use torch.linalg.lu_solve(LU, pivots, B)",
    docs="torch.btrisolve(b, LU, piv) -> torch.linalg.lu_solve(LU, piv, b.unsqueeze(-1)).squeeze(-1) "
    "(assumes the usual batch-of-vectors b of shape (*, n); a b of shape (*, n, k) needs no unsqueeze)",
    safe=False,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("btrisolve",),
)
@call_rule(["torch.btrisolve"])
def btrisolve(call: ast.Call, ctx: Context, qual: str) -> None:
    args = bind(call, ["b", "LU_data", "LU_pivots"])
    if args is None or len(args) != 3:
        ctx.report(call)
        return
    new = "%s(%s, %s, %s.unsqueeze(-1)).squeeze(-1)" % (
        linalg(ctx, "lu_solve"),
        arg_src(ctx, args["LU_data"]),
        arg_src(ctx, args["LU_pivots"]),
        receiver_text(ctx, args["b"]),
    )
    ctx.report(call, edits=replace_call(ctx, call, new))
