"""TC150: ``checkpoint(fn, *x)`` without ``use_reentrant``; TC151: ``register_backward_hook``.

* torch 2.1 warns (and later releases announced an error) when ``torch.utils.checkpoint.checkpoint`` is
  called without ``use_reentrant=``. The fix writes ``use_reentrant=True``: the variant every release
  before the warning used, so the meaning does not change (1.11+; ``--portable``: ``tc.checkpoint``).
* ``Module.register_backward_hook`` is deprecated since torch 1.8 (it sees only the last operation's
  gradients): ``register_full_backward_hook`` (unsafe: the hook receives the module's true input
  gradients; ``--portable``: ``tc.register_full_backward_hook(module, hook)``)."""

from __future__ import annotations

import ast

from torchcompat.migrate.engine import Context, rule
from torchcompat.migrate.rules._helpers import keyword
from torchcompat.migrate.rules._helpers2 import call_rule


@rule(
    "TC150",
    shift="ag-checkpoint-reentrant",
    name="checkpoint-use-reentrant",
    message="torch.utils.checkpoint.checkpoint without use_reentrant= warns since torch 2.1 (an error is announced)",
    docs="checkpoint(fn, x) -> checkpoint(fn, x, use_reentrant=True) (the variant older releases ran; "
    "--portable: tc.checkpoint(fn, x, use_reentrant=True))",
    min_version="1.11",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("checkpoint",),
)
@call_rule(["torch.utils.checkpoint.checkpoint"])
def checkpoint(call: ast.Call, ctx: Context, qual: str) -> None:
    if keyword(call, "use_reentrant") is not None or any(k.arg is None for k in call.keywords):
        return
    edits = [ctx.append_arguments(call, "use_reentrant=True")]
    if ctx.portable:
        start, end = ctx.span(call.func)
        edits.append((start, end, ctx.tc("checkpoint")))
    ctx.report(call, edits=edits)


@rule(
    "TC151",
    shift="nn-backward-hook",
    name="register-backward-hook",
    message="Module.register_backward_hook is deprecated since torch 1.8 (it sees only the last operation's "
    "gradients): use register_full_backward_hook",
    docs="m.register_backward_hook(h) -> m.register_full_backward_hook(h) (unsafe: the hook now gets the module's "
    "true grad_input; --portable: tc.register_full_backward_hook(m, h))",
    min_version="1.8",
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
