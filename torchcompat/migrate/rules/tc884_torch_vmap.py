"""TC884: ``torch.vmap``: the 1.7-1.12 prototype differs, 1.13 has none. Only under ``--portable`` (``tc.vmap``) or for
a ``--target-version`` from 1.7 to 1.13 (reported: ``torch.func.vmap`` needs 2.0)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.shifts.func import FUNC_TORCH_VMAP_PROTOTYPE


@rule(
    "TC884",
    record=FUNC_TORCH_VMAP_PROTOTYPE,
    name="torch-vmap",
    message="torch.vmap is a different prototype before torch {removed} and absent in {removed}: use tc.vmap "
    "(torch.func.vmap from {added})",
    docs="torch.vmap -> tc.vmap (--portable; output for targets below 2.0)",
    safe=True,
    portable="adapter",
    nodes=(ast.Attribute,),
    hints=("vmap",),
)
def vmap(node: ast.Attribute, ctx: Context) -> None:
    if not ctx.portable and (ctx.allows("2.0") or not ctx.allows("1.7")):
        return  # torch.vmap is the real one on every target release, or absent on all of them below 1.7
    if isinstance(node.ctx, ast.Load) and ctx.qualname(node) == "torch.vmap":
        start, end = ctx.span(node)
        ctx.report(node, edits=[(start, end, ctx.tc("vmap") if ctx.portable else ctx.torch("func.vmap"))])
