"""TC961: ``transforms.Scale`` -> ``transforms.Resize`` and ``transforms.RandomSizedCrop`` ->
``transforms.RandomResizedCrop`` (deprecated aliases since torchvision 0.2, removed in 0.12): same arguments,
same behaviour. ``from torchvision.transforms import Scale`` becomes ``... import Resize as Scale``, so each use
keeps working; the import line and each use are reported."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import rename_imports
from torchcompat.shifts.vision import TV_TRANSFORM_RENAMES

RENAMES = {"Scale": "Resize", "RandomSizedCrop": "RandomResizedCrop"}
_MODULES = ("torchvision.transforms", "torchvision.transforms.transforms")


@rule(
    "TC961",
    record=TV_TRANSFORM_RENAMES,
    name="tv-transform-renames",
    message="transforms.Scale / RandomSizedCrop were removed in torchvision {removed}: use Resize / "
    "RandomResizedCrop (same arguments)",
    docs="transforms.Scale(256) -> transforms.Resize(256); transforms.RandomSizedCrop(224) -> "
    "transforms.RandomResizedCrop(224)",
    example=("transforms.Scale(256)", "transforms.Resize(256)"),
    safe=True,
    portable="plain",
    nodes=(ast.Attribute, ast.Name, ast.ImportFrom),
    hints=("Scale", "RandomSizedCrop"),
)
def tv_transform_renames(node: ast.AST, ctx: Context) -> None:
    if isinstance(node, ast.ImportFrom):
        if node.module in _MODULES and not node.level:
            for _alias, edits in rename_imports(ctx, node, RENAMES):
                ctx.report(node, edits=edits)
        return
    if not isinstance(getattr(node, "ctx", None), ast.Load):
        return
    qual = ctx.qualname(node) or ""
    module, _, name = qual.rpartition(".")
    if module not in _MODULES or name not in RENAMES:
        return
    if isinstance(node, ast.Attribute):
        end = ctx.end(node)
        ctx.report(node, edits=[(end - len(node.attr), end, RENAMES[name])])
    else:
        ctx.report(node)  # the fix rewrites its import line (`Resize as Scale`)
