"""TC887: ``sched.get_lr()`` / ``sched.step(epoch)`` on a name assigned once from a ``torch.optim.lr_scheduler`` class
(not ReduceLROnPlateau): ``get_lr()`` -> ``get_last_lr()`` (1.4, unsafe: ``get_lr`` outside ``step`` gives the
chainable formula's value); ``step(epoch)`` is reported.

TC888: ``verbose=`` to a ``torch.optim.lr_scheduler`` class (deprecated in 2.2): removed (unsafe: the messages stop;
log ``get_last_lr()``)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import keyword, single_assignment
from torchcompat.shifts.optim import OPTIM_PLATEAU_VERBOSE, OPTIM_SCHED_EPOCH_ARG


def _scheduler_class(ctx: Context, node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        node = single_assignment(ctx, node)
    if isinstance(node, ast.Call):
        qual = ctx.qualname(node.func) or ""
        if qual.startswith("torch.optim.lr_scheduler."):
            return qual.rsplit(".", 1)[1]
    return ""


@rule(
    "TC887",
    record=OPTIM_SCHED_EPOCH_ARG,
    name="sched-epoch-arg",
    message="scheduler.get_lr() outside step() is not the current LR since torch {deprecated}: use get_last_lr()",
    docs="sched.get_lr() -> sched.get_last_lr(); sched.step(epoch) -> reported",
    safe=False,
    nodes=(ast.Call,),
    hints=("get_lr", "step"),
)
def sched_epoch(call: ast.Call, ctx: Context) -> None:
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in ("get_lr", "step"):
        return
    cls = _scheduler_class(ctx, func.value)
    if not cls or cls == "ReduceLROnPlateau" or call.keywords:
        return
    if func.attr == "get_lr" and not call.args:
        end = ctx.end(func)
        ctx.report(call, edits=[(end - len("get_lr"), end, "get_last_lr")])
    elif func.attr == "step" and call.args:
        ctx.report(
            call,
            message="scheduler.step(epoch) is deprecated since torch {deprecated}: call step() once per epoch",
        )


@rule(
    "TC888",
    record=OPTIM_PLATEAU_VERBOSE,
    emits=(),
    name="scheduler-verbose",
    message="the verbose argument of LR schedulers is deprecated since torch {deprecated}: log get_last_lr() instead",
    docs="ReduceLROnPlateau(opt, verbose=True) -> ReduceLROnPlateau(opt)",
    safe=False,
    nodes=(ast.Call,),
    hints=("verbose",),
)
def sched_verbose(call: ast.Call, ctx: Context) -> None:
    qual = ctx.qualname(call.func) or ""
    if not qual.startswith("torch.optim.lr_scheduler."):
        return
    verbose = keyword(call, "verbose")
    if verbose is None:
        return
    edit = ctx.remove_argument(call, verbose)
    if edit is not None:
        ctx.report(call, edits=[edit])
