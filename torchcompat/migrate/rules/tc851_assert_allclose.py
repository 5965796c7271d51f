"""TC851: assert_allclose(a, b) -> torch.testing.assert_close(a, b, check_dtype=False, equal_nan=True) (unsafe:
assert_close does not broadcast and checks the device)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import arg_src
from torchcompat.migrate.rules._queries import bind, call_rule
from torchcompat.shifts.testing import TEST_ASSERT_ALLCLOSE


@rule(
    "TC851",
    record=TEST_ASSERT_ALLCLOSE,
    name="assert-allclose",
    message="torch.testing.assert_allclose is deprecated since torch {deprecated}: use torch.testing.assert_close",
    docs="assert_allclose(a, b) -> torch.testing.assert_close(a, b, check_dtype=False, equal_nan=True) (unsafe: "
    "assert_close does not broadcast and checks the device)",
    safe=False,
    nodes=(ast.Call,),
    hints=("assert_allclose",),
)
@call_rule(["torch.testing.assert_allclose"])
def assert_allclose(call: ast.Call, ctx: Context, qual: str) -> None:
    args = bind(call, ["actual", "expected", "rtol", "atol", "equal_nan", "msg"])
    if args is None or not {"actual", "expected"} <= set(args):
        ctx.report(call)
        return
    parts = [arg_src(ctx, args["actual"]), arg_src(ctx, args["expected"])]
    for name in ("rtol", "atol", "msg"):
        if name in args:
            parts.append("%s=%s" % (name, arg_src(ctx, args[name])))
    parts.append("check_dtype=False")
    parts.append("equal_nan=%s" % (arg_src(ctx, args["equal_nan"]) if "equal_nan" in args else "True"))
    func = ctx.torch("testing.assert_close")
    start, end = ctx.span(call)
    ctx.report(call, edits=[(start, end, "%s(%s)" % (func, ", ".join(parts)))])
