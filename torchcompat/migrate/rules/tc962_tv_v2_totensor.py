"""TC962: ``torchvision.transforms.v2.ToTensor`` (deprecated from its first release, 0.15): reported with the
replacement ``v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True)])``. Not rewritten: the
replacement returns a ``tv_tensors.Image`` and can differ in the last float bit (pytorch/vision#8902). The
import line and each use are reported; ``transforms.ToTensor`` (v1) is not deprecated and left alone."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import report_imports
from torchcompat.shifts.vision import TV_V2_TOTENSOR

_V2 = "torchvision.transforms.v2"


@rule(
    "TC962",
    record=TV_V2_TOTENSOR,
    emits=(),
    name="tv-v2-totensor",
    message="transforms.v2.ToTensor is deprecated (torchvision {deprecated}): use "
    "v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True)])",
    docs="v2.ToTensor() -> reported (v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True)]))",
    safe=False,
    fixable=False,
    nodes=(ast.Attribute, ast.Name, ast.ImportFrom),
    hints=("ToTensor",),
)
def tv_v2_totensor(node: ast.AST, ctx: Context) -> None:
    if isinstance(node, ast.ImportFrom):
        if node.module == _V2 and not node.level:
            report_imports(ctx, node, (_V2 + ".ToTensor",))
        return
    if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
        return
    if ctx.qualname(node) == _V2 + ".ToTensor":  # `v2.ToTensor`, or the name `from ...v2 import ToTensor` bound
        ctx.report(node)
