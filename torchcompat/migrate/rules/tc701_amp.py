"""TC701-TC704: ``torch.cuda.amp`` / ``torch.cpu.amp`` -> ``torch.amp`` (deprecated with a FutureWarning
since torch 2.4).

* ``torch.cuda.amp.autocast(...)`` -> ``torch.autocast('cuda', ...)`` (1.10+; ``--portable``:
  ``tc.autocast('cuda', ...)``); ``torch.cpu.amp.autocast(...)`` -> ``torch.autocast('cpu', ...)``
* ``torch.cuda.amp.GradScaler(...)`` -> ``torch.amp.GradScaler('cuda', ...)`` (2.3+; ``tc.GradScaler``)
* ``@torch.cuda.amp.custom_fwd`` / ``custom_bwd`` -> ``@torch.amp.custom_fwd(device_type='cuda')`` (2.4+;
  ``tc.custom_fwd``)

The old functions took ``enabled`` first; the arguments are written as keywords."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import arg_src
from torchcompat.migrate.rules._queries import bind, call_rule
from torchcompat.shifts.amp import AMP_CPU_AUTOCAST, AMP_CUDA_AUTOCAST, AMP_CUSTOM_FWD, AMP_GRADSCALER

_AUTOCAST = {
    "torch.cuda.amp.autocast": "cuda",
    "torch.cuda.amp.autocast_mode.autocast": "cuda",
    "torch.cpu.amp.autocast": "cpu",
    "torch.cpu.amp.autocast_mode.autocast": "cpu",
}


def _autocast(call: ast.Call, ctx: Context, qual: str) -> None:
    args = bind(call, ["enabled", "dtype", "cache_enabled"])
    if args is None:
        ctx.report(call)
        return
    device = _AUTOCAST[qual]
    parts = ["'%s'" % device]
    for name in ("enabled", "dtype", "cache_enabled"):
        if name in args:
            parts.append("%s=%s" % (name, arg_src(ctx, args[name])))
    func = ctx.tc("autocast") if ctx.portable else ctx.torch("autocast")
    start, end = ctx.span(call)
    ctx.report(call, edits=[(start, end, "%s(%s)" % (func, ", ".join(parts)))])


@rule(
    "TC701",
    record=AMP_CUDA_AUTOCAST,
    name="cuda-amp-autocast",
    message="torch.cuda.amp.autocast is deprecated since torch {deprecated}: use torch.autocast('cuda', ...)",
    docs="torch.cuda.amp.autocast(enabled=e) -> torch.autocast('cuda', enabled=e) (--portable: tc.autocast)",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("autocast",),
)
@call_rule(["torch.cuda.amp.autocast", "torch.cuda.amp.autocast_mode.autocast"])
def cuda_autocast(call: ast.Call, ctx: Context, qual: str) -> None:
    _autocast(call, ctx, qual)


@rule(
    "TC702",
    record=AMP_CPU_AUTOCAST,
    name="cpu-amp-autocast",
    message="torch.cpu.amp.autocast is deprecated since torch {deprecated}: use torch.autocast('cpu', ...)",
    docs="torch.cpu.amp.autocast() -> torch.autocast('cpu') (--portable: tc.autocast('cpu'))",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("autocast",),
)
@call_rule(["torch.cpu.amp.autocast", "torch.cpu.amp.autocast_mode.autocast"])
def cpu_autocast(call: ast.Call, ctx: Context, qual: str) -> None:
    _autocast(call, ctx, qual)


@rule(
    "TC703",
    record=AMP_GRADSCALER,
    name="cuda-amp-gradscaler",
    message="torch.cuda.amp.GradScaler is deprecated since torch {deprecated}: use torch.amp.GradScaler('cuda', ...)",
    docs="torch.cuda.amp.GradScaler(init_scale=s) -> torch.amp.GradScaler('cuda', init_scale=s) "
    "(--portable: tc.GradScaler('cuda', ...))",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("GradScaler",),
)
@call_rule(["torch.cuda.amp.GradScaler", "torch.cuda.amp.grad_scaler.GradScaler"])
def grad_scaler(call: ast.Call, ctx: Context, qual: str) -> None:
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        ctx.report(call)
        return
    func = ctx.tc("GradScaler") if ctx.portable else ctx.torch("amp.GradScaler")
    inner = ", ".join(["'cuda'"] + [ctx.source(a) for a in ctx.argument_nodes(call)])
    start, end = ctx.span(call)
    ctx.report(call, edits=[(start, end, "%s(%s)" % (func, inner))])


_CUSTOM = {"torch.cuda.amp.custom_fwd": "custom_fwd", "torch.cuda.amp.custom_bwd": "custom_bwd"}


@rule(
    "TC704",
    record=AMP_CUSTOM_FWD,
    name="cuda-amp-custom-fwd",
    message="torch.cuda.amp.custom_fwd/custom_bwd are deprecated since torch {deprecated}: use "
    "torch.amp.custom_fwd(device_type='cuda', ...)",
    docs="@torch.cuda.amp.custom_fwd(cast_inputs=t) -> @torch.amp.custom_fwd(device_type='cuda', cast_inputs=t) "
    "(--portable: tc.custom_fwd)",
    safe=True,
    portable="adapter",
    nodes=(ast.Attribute, ast.Name),
    hints=("custom_fwd", "custom_bwd"),
)
def custom_fwd(node: ast.AST, ctx: Context) -> None:
    if not isinstance(getattr(node, "ctx", None), ast.Load):
        return
    qual = ctx.qualname(node)
    if qual not in _CUSTOM:
        return
    parent = ctx.parent(node)
    if isinstance(parent, ast.Attribute):
        return
    new = ctx.tc(_CUSTOM[qual]) if ctx.portable else ctx.torch("amp." + _CUSTOM[qual])
    start, end = ctx.span(node)
    if isinstance(parent, ast.Call) and parent.func is node:
        if any(k.arg is None for k in parent.keywords) or parent.args:
            ctx.report(node)
            return
        inner = ", ".join(
            ["device_type='cuda'"]
            + [
                ctx.source(k) if getattr(k, "lineno", None) else "%s=%s" % (k.arg, ctx.source(k.value))
                for k in parent.keywords
            ]
        )
        ctx.report(node, edits=[(start, ctx.end(parent), "%s(%s)" % (new, inner))])
        return
    if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)) and node in parent.decorator_list:
        ctx.report(node, edits=[(start, end, "%s(device_type='cuda')" % new)])
        return
    ctx.report(node)
