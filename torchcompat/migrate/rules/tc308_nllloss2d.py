"""TC308: ``nn.NLLLoss2d`` -> ``nn.NLLLoss`` (which handles N-d inputs since torch 0.4)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import rename_imports, rename_tail
from torchcompat.shifts.nn import NN_NLLLOSS2D


@rule(
    "TC308",
    record=NN_NLLLOSS2D,
    name="nllloss2d",
    message="nn.NLLLoss2d is deprecated since torch {deprecated}: nn.NLLLoss handles N-d inputs",
    docs="nn.NLLLoss2d(...) -> nn.NLLLoss(...)",
    safe=True,
    nodes=(ast.Attribute, ast.ImportFrom),
    hints=("NLLLoss2d",),
)
def nllloss2d(node: ast.AST, ctx: Context) -> None:
    if isinstance(node, ast.ImportFrom):
        if node.module in ("torch.nn", "torch.nn.modules.loss", "torch.nn.modules") and not node.level:
            for _alias, edits in rename_imports(ctx, node, {"NLLLoss2d": "NLLLoss"}):
                ctx.report(node, edits=edits)
        return
    if isinstance(node.ctx, ast.Load) and ctx.qualname(node) == "torch.nn.NLLLoss2d":  # type: ignore
        ctx.report(node, edits=[rename_tail(ctx, node, "NLLLoss", "nn.NLLLoss")])
