"""TC401-TC408: the LAPACK-era names (``gels``, ``gesv``, ``potrf``, ``potrs``, ``potri``, ``trtrs``,
``btrifact``, ``btrisolve``), gone since torch 1.2/1.3, -> ``torch.linalg`` with the arguments
reordered (``(B, A)`` -> ``(A, B)``) and the result tuples adapted.

Where the old function returned ``(X, extra)`` and the new one returns ``X``, the fix applies only
where the use proves ``extra`` is not read (``f(...)[0]``, ``X, _ = f(...)``); elsewhere a finding
without a fix. ``--portable`` writes the ``tc.linalg`` adapters, which run on every release."""

from __future__ import annotations

import ast
from typing import Dict

from torchcompat.migrate.engine import Context, rule
from torchcompat.migrate.rules._helpers2 import (
    UNKNOWN,
    arg_src,
    bind,
    call_rule,
    const,
    first_of_pair,
    is_simple,
    recv_src,
    replace_call,
)

SHIFT = "la-lapack-names"


def linalg(ctx: Context, name: str) -> str:
    """``torch.linalg.<name>`` (``tc.linalg.<name>`` under ``--portable``)."""
    return ctx.tc("linalg." + name) if ctx.portable else ctx.torch("linalg." + name)


def _t(ctx: Context, node: ast.AST) -> str:
    return recv_src(ctx, node) + ".transpose(-2, -1)"


def _upper(args: Dict[str, ast.AST], default: bool) -> object:
    return const(args.get("upper"), default)


@rule(
    "TC401",
    shift=SHIFT,
    name="gels",
    message="torch.gels was removed in torch 1.2: use torch.linalg.lstsq(A, B)",
    docs="X, _ = torch.gels(B, A) / torch.gels(B, A)[0] -> torch.linalg.lstsq(A, B).solution (the old X was "
    "padded to max(m, n) rows; the new solution has n rows)",
    min_version="1.9",
    safe=False,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("gels",),
)
@call_rule(["torch.gels"])
def gels(call: ast.Call, ctx: Context, qual: str) -> None:
    _lstsq_like(call, ctx, "gels")


def _lstsq_like(call: ast.Call, ctx: Context, old: str) -> None:
    args = bind(call, ["B", "A"])
    if args is None or set(args) != {"B", "A"}:
        ctx.report(call)
        return
    new = "%s(%s, %s).solution" % (linalg(ctx, "lstsq"), arg_src(ctx, args["A"]), arg_src(ctx, args["B"]))
    edits = first_of_pair(ctx, call, new)
    if edits is None:
        ctx.report(
            call,
            message="torch.%s(B, A) returns (X, QR) with X padded to max(m, n) rows: rewrite by hand "
            "to torch.linalg.lstsq(A, B).solution" % old,
            edits=None,
        )
        return
    ctx.report(call, edits=edits)


@rule(
    "TC402",
    shift=SHIFT,
    name="gesv",
    message="torch.gesv was removed in torch 1.2: use torch.linalg.solve(A, B)",
    docs="X, _ = torch.gesv(B, A) -> X = torch.linalg.solve(A, B) (arguments reversed; the LU factor is dropped)",
    min_version="1.8",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("gesv",),
)
@call_rule(["torch.gesv"])
def gesv(call: ast.Call, ctx: Context, qual: str) -> None:
    _solve_like(call, ctx, "gesv")


def _solve_like(call: ast.Call, ctx: Context, old: str) -> None:
    args = bind(call, ["B", "A"]) if old == "gesv" else bind(call, ["input", "A"])
    first = "B" if old == "gesv" else "input"
    if args is None or set(args) != {first, "A"}:
        ctx.report(call)
        return
    new = "%s(%s, %s)" % (linalg(ctx, "solve"), arg_src(ctx, args["A"]), arg_src(ctx, args[first]))
    edits = first_of_pair(ctx, call, new, attr="solution")
    if edits is None:
        ctx.report(
            call,
            message="torch.%s(B, A) returns (X, LU); torch.linalg.solve(A, B) returns X: rewrite by hand "
            "(torch.linalg.lu_factor gives the LU factor)" % old,
        )
        return
    ctx.report(call, edits=edits)


@rule(
    "TC403",
    shift=SHIFT,
    name="potrf",
    message="torch.potrf was removed in torch 1.2: use torch.linalg.cholesky (upper: its .mH)",
    docs="torch.potrf(A) -> torch.linalg.cholesky(A).mH (potrf's default is upper=True); "
    "torch.potrf(A, upper=False) -> torch.linalg.cholesky(A)",
    min_version="1.8",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("potrf",),
)
@call_rule(["torch.potrf"])
def potrf(call: ast.Call, ctx: Context, qual: str) -> None:
    cholesky_call(call, ctx, ["a", "upper"], True)


def cholesky_call(call: ast.Call, ctx: Context, params: list, default_upper: bool) -> None:
    args = bind(call, params)
    if args is None or params[0] not in args:
        ctx.report(call)
        return
    upper = _upper(args, default_upper)
    if upper is UNKNOWN:
        ctx.report(
            call,
            message="upper= is not a literal: rewrite by hand to torch.linalg.cholesky(A) (.mH for the upper factor)",
        )
        return
    a = arg_src(ctx, args[params[0]])
    if ctx.portable:
        new = "%s(%s%s)" % (linalg(ctx, "cholesky"), a, ", upper=True" if upper else "")
    elif not upper:
        new = "%s(%s)" % (linalg(ctx, "cholesky"), a)
    elif ctx.allows("1.11"):
        new = "%s(%s).mH" % (linalg(ctx, "cholesky"), a)
    else:
        new = "%s(%s).transpose(-2, -1)" % (linalg(ctx, "cholesky"), a)
    ctx.report(call, edits=replace_call(ctx, call, new))


@rule(
    "TC404",
    shift=SHIFT,
    name="potrs",
    message="torch.potrs was removed in torch 1.2: use torch.cholesky_solve (whose default is upper=False)",
    docs="torch.potrs(b, u) -> torch.cholesky_solve(b, u, upper=True) (--portable: two "
    "tc.linalg.solve_triangular calls)",
    min_version="1.1",
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
    upper = _upper(args, True)
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
        ut = _t(ctx, args["u"])
        if upper:  # A = U^T U: solve U^T y = b, then U x = y
            new = "%s(%s, %s(%s, %s, upper=False), upper=True)" % (st, u, st, ut, b)
        else:  # A = L L^T: solve L y = b, then L^T x = y
            new = "%s(%s, %s(%s, %s, upper=False), upper=True)" % (st, ut, st, u, b)
    ctx.report(call, edits=replace_call(ctx, call, new))


@rule(
    "TC405",
    shift=SHIFT,
    name="potri",
    message="torch.potri was removed in torch 1.2: use torch.cholesky_inverse",
    docs="torch.potri(u) -> torch.cholesky_inverse(u, upper=True) (--portable: tc.cholesky_inverse)",
    min_version="1.1",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("potri",),
)
@call_rule(["torch.potri"])
def potri(call: ast.Call, ctx: Context, qual: str) -> None:
    args = bind(call, ["u", "upper"])
    upper = _upper(args, True) if args is not None else UNKNOWN
    if args is None or "u" not in args or upper is UNKNOWN:
        ctx.report(call)
        return
    fn = ctx.tc("cholesky_inverse") if ctx.portable else ctx.torch("cholesky_inverse")
    new = "%s(%s, upper=%s)" % (fn, arg_src(ctx, args["u"]), bool(upper))
    ctx.report(call, edits=replace_call(ctx, call, new))


@rule(
    "TC406",
    shift=SHIFT,
    name="trtrs",
    message="torch.trtrs was removed in torch 1.3: use torch.linalg.solve_triangular(A, b, upper=...)",
    docs="torch.trtrs(b, A)[0] -> torch.linalg.solve_triangular(A, b, upper=True) (trtrs's default is "
    "upper=True; transpose=True transposes A and flips upper)",
    min_version="1.11",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("trtrs",),
)
@call_rule(["torch.trtrs"])
def trtrs(call: ast.Call, ctx: Context, qual: str) -> None:
    triangular(call, ctx, "trtrs")


def triangular(call: ast.Call, ctx: Context, old: str) -> None:
    args = bind(call, ["b", "A", "upper", "transpose", "unitriangular"])
    if args is None or not {"b", "A"} <= set(args):
        ctx.report(call)
        return
    upper = _upper(args, True)
    transpose = const(args.get("transpose"), False)
    unit = const(args.get("unitriangular"), False)
    if upper is UNKNOWN or transpose is UNKNOWN:
        ctx.report(
            call,
            message="upper=/transpose= are not literals: rewrite by hand to "
            "torch.linalg.solve_triangular(A, b, upper=...)",
        )
        return
    a = _t(ctx, args["A"]) if transpose else arg_src(ctx, args["A"])
    up = (not upper) if transpose else upper
    extra = ""
    if "unitriangular" in args and unit is not False:
        extra = ", unitriangular=%s" % arg_src(ctx, args["unitriangular"])
    new = "%s(%s, %s, upper=%s%s)" % (linalg(ctx, "solve_triangular"), a, arg_src(ctx, args["b"]), bool(up), extra)
    edits = first_of_pair(ctx, call, new, attr="solution")
    if edits is None:
        ctx.report(
            call,
            message="torch.%s(b, A) returns (X, A); torch.linalg.solve_triangular returns X: rewrite by hand" % old,
        )
        return
    ctx.report(call, edits=edits)


@rule(
    "TC407",
    shift=SHIFT,
    name="btrifact",
    message="torch.btrifact was removed in torch 1.3: use torch.linalg.lu_factor",
    docs="LU, piv = torch.btrifact(A) -> torch.linalg.lu_factor(A); btrifact_with_info -> lu_factor_ex",
    min_version="1.11",
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
    shift=SHIFT,
    name="btrisolve",
    message="torch.btrisolve was removed in torch 1.3: use torch.linalg.lu_solve(LU, pivots, B)",
    docs="torch.btrisolve(b, LU, piv) -> torch.linalg.lu_solve(LU, piv, b.unsqueeze(-1)).squeeze(-1) "
    "(assumes the usual batch-of-vectors b of shape (*, n); a b of shape (*, n, k) needs no unsqueeze)",
    min_version="1.13",
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
        recv_src(ctx, args["b"]),
    )
    ctx.report(call, edits=replace_call(ctx, call, new))
