"""TC366 (opt-in): ``module.load_state_dict(torch.load(path))`` -> ``tc.load_state_dict(module, ...)``.

A state_dict read from a file may predate torch 0.4.1 (BatchNorm without ``num_batches_tracked``: a
strict-load error on every later release) or come from a ``DataParallel``/DDP/``torch.compile``
wrapper (``module.``/``_orig_mod.`` prefixes). ``tc.load_state_dict`` fills in the BatchNorm counters
and strips those prefixes, on every release. Opt-in (``--select TC366``): most files are recent, and
plain torch has no equivalent for ``--target-version`` (there the finding has no fix)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import arg_src, receiver_text
from torchcompat.shifts.nn import NN_BN_NUM_BATCHES_TRACKED
from torchcompat.shifts.serialization import SER_STATE_DICT_PREFIX


@rule(
    "TC366",
    record=NN_BN_NUM_BATCHES_TRACKED,
    emits=(SER_STATE_DICT_PREFIX,),
    name="load-state-dict-old-file",
    message="a state_dict loaded from a file may predate torch {added} (BatchNorm without "
    "num_batches_tracked) or carry wrapper prefixes: tc.load_state_dict handles both",
    docs="model.load_state_dict(torch.load(p)) -> tc.load_state_dict(model, torch.load(p)) (--portable)",
    safe=False,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("load_state_dict",),
    default=False,
)
def load_state_dict_old_file(call: ast.Call, ctx: Context) -> None:
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr != "load_state_dict" or len(call.args) != 1:
        return
    source = call.args[0]
    if not isinstance(source, ast.Call) or ctx.qualname(source.func) != "torch.load":
        return  # only a dict straight from a file: one built in this program is as new as the program
    if any(k.arg not in ("strict",) for k in call.keywords):
        ctx.report(call)
        return
    module = receiver_text(ctx, func.value)
    rest = "".join(", %s=%s" % (k.arg, arg_src(ctx, k.value)) for k in call.keywords)
    start, end = ctx.span(call)
    new = "%s(%s, %s%s)" % (ctx.tc("load_state_dict"), module, arg_src(ctx, source), rest)
    ctx.report(call, edits=[(start, end, new)] if ctx.portable else None)  # no plain-torch rewrite
