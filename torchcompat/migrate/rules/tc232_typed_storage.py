"""TC232: ``t.storage()`` (TypedStorage, deprecated in 2.0): ``t.storage().data_ptr()`` / ``.nbytes()`` ->
``t.untyped_storage().data_ptr()`` / ``.nbytes()`` (the same pointer and byte count); other uses are reported (sizes
differ: bytes vs elements)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.shifts.tensor import T_TYPED_STORAGE


@rule(
    "TC232",
    record=T_TYPED_STORAGE,
    name="typed-storage",
    message="Tensor.storage() returns a TypedStorage, deprecated since torch {deprecated}: use untyped_storage() "
    "(sizes in bytes, not elements)",
    docs="t.storage().data_ptr() -> t.untyped_storage().data_ptr() (and nbytes()); other storage() uses are reported",
    safe=True,
    portable="",
    nodes=(ast.Call,),
    hints=("storage",),
)
def typed_storage(call: ast.Call, ctx: Context) -> None:
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr != "storage" or call.args or call.keywords:
        return
    if ctx.qualname(func) is not None or (isinstance(func.value, ast.Name) and func.value.id == "self"):
        return
    parent = ctx.parent(call)
    grand = ctx.parent(parent) if parent is not None else None
    if (
        isinstance(parent, ast.Attribute)
        and parent.attr in ("data_ptr", "nbytes")
        and isinstance(grand, ast.Call)
        and grand.func is parent
        and not grand.args
    ):
        end = ctx.end(func)
        ctx.report(call, edits=[(end - len("storage"), end, "untyped_storage")])
    else:
        ctx.report(call, warning=True)
