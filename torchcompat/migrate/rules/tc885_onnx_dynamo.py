"""TC885: ``torch.onnx.dynamo_export(model, *args)`` (removed in 2.9) -> ``torch.onnx.export(model, (args,),
dynamo=True)`` (positional arguments only; unsafe).

TC886: ``torch.onnx.export(...)`` with TorchScript-exporter arguments (``dynamic_axes``, ``operator_export_type``,
``custom_opsets``, ``training``, ``export_modules_as_functions``, ``autograd_inlining``) and no ``dynamo=``: 2.9
made the dynamo exporter the default. Fix: ``dynamo=False`` (2.5)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import arg_src
from torchcompat.migrate.rules._queries import call_rule, keyword
from torchcompat.shifts.export import ONNX_DYNAMO_DEFAULT, ONNX_DYNAMO_EXPORT

_TS_ONLY = {
    "dynamic_axes",
    "operator_export_type",
    "custom_opsets",
    "training",
    "export_modules_as_functions",
    "autograd_inlining",
}


@rule(
    "TC885",
    record=ONNX_DYNAMO_EXPORT,
    name="onnx-dynamo-export",
    message="torch.onnx.dynamo_export was removed in torch {removed}: use torch.onnx.export(..., dynamo=True)",
    docs="torch.onnx.dynamo_export(m, x) -> torch.onnx.export(m, (x,), dynamo=True)",
    safe=False,
    portable="",
    nodes=(ast.Call,),
    hints=("dynamo_export",),
)
@call_rule(["torch.onnx.dynamo_export"])
def dynamo_export(call: ast.Call, ctx: Context, qual: str) -> None:
    if call.keywords or not call.args or any(isinstance(a, ast.Starred) for a in call.args):
        ctx.report(call)
        return
    args = [arg_src(ctx, a) for a in call.args[1:]]
    packed = "(%s)" % (args[0] + "," if len(args) == 1 else ", ".join(args))
    text = "%s(%s, %s, dynamo=True)" % (ctx.torch("onnx.export"), arg_src(ctx, call.args[0]), packed)
    start, end = ctx.span(call)
    ctx.report(call, edits=[(start, end, text)])


@rule(
    "TC886",
    record=ONNX_DYNAMO_DEFAULT,
    name="onnx-dynamo-default",
    message="torch.onnx.export uses the dynamo exporter by default since torch {removed}; these arguments are "
    "for the TorchScript exporter: pass dynamo=False",
    docs="torch.onnx.export(m, x, f, dynamic_axes=...) -> torch.onnx.export(..., dynamo=False)",
    safe=True,
    portable="",
    nodes=(ast.Call,),
    hints=("export",),
)
@call_rule(["torch.onnx.export"])
def dynamo_default(call: ast.Call, ctx: Context, qual: str) -> None:
    if keyword(call, "dynamo") is not None or any(k.arg is None for k in call.keywords):
        return
    if not any(k.arg in _TS_ONLY for k in call.keywords):
        return
    ctx.report(call, edits=[ctx.append_arguments(call, "dynamo=False")])
