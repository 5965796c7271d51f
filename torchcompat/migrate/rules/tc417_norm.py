"""TC417: torch.norm(x) -> torch.linalg.vector_norm(x); torch.norm(x, p, dim) with a numeric p and an int dim ->
torch.linalg.vector_norm(x, p, dim); other forms: a warning."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import arg_src, replace_call
from torchcompat.migrate.rules._linalg import linalg
from torchcompat.migrate.rules._queries import UNKNOWN, bind, call_rule, const
from torchcompat.shifts.linalg import LA_NORM

_NUMERIC_P = (int, float)


@rule(
    "TC417",
    record=LA_NORM,
    name="norm",
    message="torch.norm is deprecated: use torch.linalg.vector_norm / "
    "matrix_norm (p='fro'/2 mean different things for vectors and matrices)",
    docs="torch.norm(x) -> torch.linalg.vector_norm(x); torch.norm(x, p, dim) with a numeric p and an int dim -> "
    "torch.linalg.vector_norm(x, p, dim); other forms: a warning",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("norm",),
)
@call_rule(["torch.norm"])
def norm(call: ast.Call, ctx: Context, qual: str) -> None:
    args = bind(call, ["input", "p", "dim", "keepdim", "out", "dtype"])
    if args is None or "input" not in args or "out" in args:
        ctx.report(call, warning=True)
        return
    p = const(args.get("p"), "fro")
    dim = const(args.get("dim"), None)
    parts = [arg_src(ctx, args["input"])]
    if dim is None:
        if p not in ("fro", 2, 2.0):  # flattened p-norm: same as vector_norm(x, p)
            if isinstance(p, bool) or not isinstance(p, _NUMERIC_P):
                ctx.report(call, warning=True)
                return
            parts.append(arg_src(ctx, args["p"]))
    elif isinstance(dim, int) and not isinstance(dim, bool) and p is not UNKNOWN and p != "nuc":
        if p == "fro":
            p = 2
        if isinstance(p, bool) or not isinstance(p, _NUMERIC_P):
            ctx.report(call, warning=True)
            return
        parts.append(arg_src(ctx, args["p"]) if "p" in args and p != 2 else "2")
        parts.append(arg_src(ctx, args["dim"]))
    else:
        ctx.report(call, warning=True)
        return
    for name in ("keepdim", "dtype"):
        if name in args:
            parts.append("%s=%s" % (name, arg_src(ctx, args[name])))
    ctx.report(call, edits=replace_call(ctx, call, "%s(%s)" % (linalg(ctx, "vector_norm"), ", ".join(parts))))
