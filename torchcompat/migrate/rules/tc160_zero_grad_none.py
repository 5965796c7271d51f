"""TC160: ``opt.zero_grad()`` in a file that reads ``p.grad`` unguarded (``p.grad.data``, ``p.grad +=``, no ``is None``
check anywhere): since 2.0 the default is ``set_to_none=True`` and those reads fail. Fix:
``zero_grad(set_to_none=False)`` (1.7; ``--portable``: ``tc.zero_grad(opt, set_to_none=False)``)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.shifts.autograd import AG_ZERO_GRAD_NONE


def _unguarded_grad_reads(ctx: Context) -> bool:
    cache = getattr(ctx, "_tc160_cache", None)
    if cache is not None:
        return cache
    reads = False
    guarded = False
    for node in ast.walk(ctx.tree):
        if isinstance(node, ast.Compare) and any(isinstance(op, (ast.Is, ast.IsNot)) for op in node.ops):
            sides = [node.left] + list(node.comparators)
            if any(isinstance(s, ast.Attribute) and s.attr == "grad" for s in sides):
                guarded = True
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute) and node.value.attr == "grad":
            reads = True  # p.grad.data, p.grad.add_ ...
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Attribute) and node.target.attr == "grad":
            reads = True
    result = reads and not guarded
    ctx._tc160_cache = result  # type: ignore[attr-defined]
    return result


@rule(
    "TC160",
    record=AG_ZERO_GRAD_NONE,
    name="zero-grad-set-to-none",
    message="zero_grad() sets .grad to None since torch {removed}, and this file reads p.grad without a None "
    "check: pass set_to_none=False",
    docs="opt.zero_grad() -> opt.zero_grad(set_to_none=False) where grads are read unguarded "
    "(--portable: tc.zero_grad(opt, set_to_none=False))",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("zero_grad",),
)
def zero_grad(call: ast.Call, ctx: Context) -> None:
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr != "zero_grad" or call.args or call.keywords:
        return
    if ctx.qualname(func) is not None or not _unguarded_grad_reads(ctx):
        return  # a module function, not a method; or grads are never read unguarded
    if ctx.portable:
        start, end = ctx.span(call)
        text = "%s(%s, set_to_none=False)" % (ctx.tc("zero_grad"), ctx.source(func.value))
        ctx.report(call, edits=[(start, end, text)])
    else:
        ctx.report(call, edits=[ctx.append_arguments(call, "set_to_none=False")])
