"""TC611 (opt-in): ``torch.save(obj, f)`` -> a file that torch 1.0-1.5 can read as well.

Since 1.6 ``torch.save`` writes a zip container that older releases cannot open. Where the files are
read by old releases too, write the pre-1.6 format: ``torch.save(obj, f,
_use_new_zipfile_serialization=False)`` (``--target-version`` >= 1.6), ``tc.save(obj, f,
legacy_format=True)`` (``--portable``). Opt-in (``--select TC611``): only the writer knows who reads."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import keyword
from torchcompat.shifts.serialization import SER_ZIPFILE


@rule(
    "TC611",
    record=SER_ZIPFILE,
    name="save-legacy-format",
    message="torch.save writes a zip file since torch {removed} that torch before {added} cannot load: write the "
    "legacy format where old releases read the file",
    docs="torch.save(obj, f) -> torch.save(obj, f, _use_new_zipfile_serialization=False) "
    "(--portable: tc.save(obj, f, legacy_format=True))",
    safe=False,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("save",),
    default=False,
)
def save_legacy_format(call: ast.Call, ctx: Context) -> None:
    if ctx.qualname(call.func) != "torch.save" or keyword(call, "_use_new_zipfile_serialization"):
        return
    if any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
        ctx.report(call)
        return
    if ctx.portable:
        start, end = ctx.span(call.func)
        edits = [(start, end, ctx.tc("save")), ctx.append_arguments(call, "legacy_format=True")]
    else:
        edits = [ctx.append_arguments(call, "_use_new_zipfile_serialization=False")]
    ctx.report(call, edits=edits)
