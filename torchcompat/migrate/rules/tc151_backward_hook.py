"""TC151: m.register_backward_hook(h) -> m.register_full_backward_hook(h) (unsafe: the hook now gets the module's true
grad_input; --portable: tc.register_full_backward_hook(m, h))."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.shifts.nn import NN_BACKWARD_HOOK


@rule(
    "TC151",
    record=NN_BACKWARD_HOOK,
    name="register-backward-hook",
    message="Module.register_backward_hook is deprecated since torch {deprecated} (it sees only the last operation's "
    "gradients): use register_full_backward_hook",
    docs="m.register_backward_hook(h) -> m.register_full_backward_hook(h) (unsafe: the hook now gets the module's "
    "true grad_input; --portable: tc.register_full_backward_hook(m, h))",
    safe=False,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("register_backward_hook",),
)
def backward_hook(call: ast.Call, ctx: Context) -> None:
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr == "register_backward_hook") or ctx.qualname(func):
        return
    if ctx.portable:
        inner = ", ".join([ctx.source(func.value)] + [ctx.source(a) for a in ctx.argument_nodes(call)])
        start, end = ctx.span(call)
        ctx.report(call, edits=[(start, end, "%s(%s)" % (ctx.tc("register_full_backward_hook"), inner))])
        return
    end = ctx.end(func)
    ctx.report(call, edits=[(end - len(func.attr), end, "register_full_backward_hook")])
