"""TC418: torch.range(a, b) -> torch.arange(a, b + 1, dtype=torch.get_default_dtype()) (step 1 only: other steps are
left with a warning; float endpoints can round differently)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import arg_src
from torchcompat.migrate.rules._queries import bind, call_rule, const
from torchcompat.shifts.linalg import LA_RANGE


def _plus_one(ctx: Context, node: ast.AST) -> str:
    """``end + 1`` (``n - 1`` + 1 -> ``n``)."""
    if (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Sub)
        and const(node.right) == 1
        and not isinstance(const(node.right), bool)
        and type(const(node.right)) is int
    ):
        return ctx.source(node.left)
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return str(node.value + 1)
    text = ctx.source(node)
    if isinstance(node, (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.Constant)) or (
        isinstance(node, ast.BinOp)
        and not isinstance(node.op, (ast.BitOr, ast.BitAnd, ast.BitXor, ast.LShift, ast.RShift))
    ):
        return text + " + 1"
    return "(" + text + ") + 1"


@rule(
    "TC418",
    record=LA_RANGE,
    emits=(),
    name="range",
    message="torch.range is deprecated (end-inclusive, float): use torch.arange(start, end + 1)",
    docs="torch.range(a, b) -> torch.arange(a, b + 1, dtype=torch.get_default_dtype()) (step 1 only: other "
    "steps are left with a warning; float endpoints can round differently)",
    safe=False,
    nodes=(ast.Call,),
    hints=("range",),
)
@call_rule(["torch.range"])
def range_(call: ast.Call, ctx: Context, qual: str) -> None:
    args = bind(call, ["start", "end", "step", "out", "dtype", "layout", "device", "requires_grad"])
    if (
        args is None
        or len(call.args) > 3
        or not {"start", "end"} <= set(args)
        or "out" in args
        or const(args.get("step"), 1) != 1
        or isinstance(const(args.get("step"), 1), bool)
    ):
        ctx.report(call, warning=True)
        return
    parts = [arg_src(ctx, args["start"]), _plus_one(ctx, args["end"])]
    if "dtype" not in args:
        parts.append("dtype=%s()" % ctx.torch("get_default_dtype"))
    for kw in call.keywords:
        if kw.arg not in ("start", "end", "step"):
            parts.append("%s=%s" % (kw.arg, arg_src(ctx, kw.value)))
    start = ctx.start(call.func)
    func = ctx.source(call.func)
    func = func[: -len("range")] + "arange" if isinstance(call.func, ast.Attribute) else ctx.torch("arange")
    ctx.report(call, edits=[(start, ctx.end(call), "%s(%s)" % (func, ", ".join(parts)))])
