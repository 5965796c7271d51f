"""TC850: ``torch.meshgrid`` without ``indexing``; TC851: ``torch.testing.assert_allclose``.

* ``torch.meshgrid(x, y)`` warns since torch 1.10 and the docs announce a switch to NumPy's ``'xy'``:
  the fix writes today's default, ``indexing='ij'`` (``--portable``: ``tc.meshgrid(..., indexing='ij')``).
* ``assert_allclose`` is deprecated since 1.12: ``torch.testing.assert_close(a, b, check_dtype=False,
  equal_nan=True)`` keeps its dtype-lenient and NaN-equal comparison (unsafe: ``assert_close`` does not
  broadcast ``expected`` and checks the device)."""

from __future__ import annotations

import ast

from torchcompat.migrate.engine import Context, rule
from torchcompat.migrate.rules._helpers import keyword
from torchcompat.migrate.rules._helpers2 import arg_src, bind, call_rule


@rule(
    "TC850",
    shift="misc-meshgrid-indexing",
    name="meshgrid-indexing",
    message="torch.meshgrid without indexing= warns since torch 1.10 (a switch to 'xy' is announced)",
    docs="torch.meshgrid(x, y) -> torch.meshgrid(x, y, indexing='ij') (--portable: tc.meshgrid(x, y, indexing='ij'))",
    min_version="1.10",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("meshgrid",),
)
@call_rule(["torch.meshgrid", "torch.functional.meshgrid"])
def meshgrid(call: ast.Call, ctx: Context, qual: str) -> None:
    if keyword(call, "indexing") is not None or any(k.arg is None for k in call.keywords):
        return
    edits = [ctx.append_arguments(call, "indexing='ij'")]
    if ctx.portable:
        start, end = ctx.span(call.func)
        edits.append((start, end, ctx.tc("meshgrid")))
    ctx.report(call, edits=edits)


@rule(
    "TC851",
    shift="test-assert-allclose",
    name="assert-allclose",
    message="torch.testing.assert_allclose is deprecated since torch 1.12: use torch.testing.assert_close",
    docs="assert_allclose(a, b) -> torch.testing.assert_close(a, b, check_dtype=False, equal_nan=True) (unsafe: "
    "assert_close does not broadcast and checks the device)",
    min_version="1.9",
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
