"""Rewrites shared by the linalg rules (the LAPACK-era names TC401-TC408 and their torch 1.x successors
TC410-TC424): ``torch.linalg`` call text, ``(B, A)`` -> ``(A, B)`` solves, cholesky, triangular solves; not a rule."""

from __future__ import annotations

import ast
from typing import Dict

from torchcompat.migrate.context import Context
from torchcompat.migrate.rules._edits import arg_src, first_of_pair, receiver_text, replace_call
from torchcompat.migrate.rules._queries import UNKNOWN, bind, const


def linalg(ctx: Context, name: str) -> str:
    """``torch.linalg.<name>`` (``tc.linalg.<name>`` under ``--portable``)."""
    return ctx.tc("linalg." + name) if ctx.portable else ctx.torch("linalg." + name)


def transposed(ctx: Context, node: ast.AST) -> str:
    return receiver_text(ctx, node) + ".transpose(-2, -1)"


def upper_flag(args: Dict[str, ast.AST], default: bool) -> object:
    return const(args.get("upper"), default)


def lstsq_like(call: ast.Call, ctx: Context, old: str) -> None:
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


def solve_like(call: ast.Call, ctx: Context, old: str) -> None:
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


def cholesky_call(call: ast.Call, ctx: Context, params: list, default_upper: bool) -> None:
    args = bind(call, params)
    if args is None or params[0] not in args:
        ctx.report(call)
        return
    upper = upper_flag(args, default_upper)
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


def triangular(call: ast.Call, ctx: Context, old: str) -> None:
    args = bind(call, ["b", "A", "upper", "transpose", "unitriangular"])
    if args is None or not {"b", "A"} <= set(args):
        ctx.report(call)
        return
    upper = upper_flag(args, True)
    transpose = const(args.get("transpose"), False)
    unit = const(args.get("unitriangular"), False)
    if upper is UNKNOWN or transpose is UNKNOWN:
        ctx.report(
            call,
            message="upper=/transpose= are not literals: rewrite by hand to "
            "torch.linalg.solve_triangular(A, b, upper=...)",
        )
        return
    a = transposed(ctx, args["A"]) if transpose else arg_src(ctx, args["A"])
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
