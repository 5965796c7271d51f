"""TC307: ``nn.utils.clip_grad_norm`` -> ``nn.utils.clip_grad_norm_`` (deprecated in torch 0.4)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import rename_imports, rename_tail
from torchcompat.shifts.nn import NN_CLIP_GRAD_NORM


@rule(
    "TC307",
    record=NN_CLIP_GRAD_NORM,
    name="clip-grad-norm",
    message="nn.utils.clip_grad_norm is deprecated since torch {deprecated}: use clip_grad_norm_",
    docs="nn.utils.clip_grad_norm(params, max_norm) -> nn.utils.clip_grad_norm_(params, max_norm)",
    safe=True,
    nodes=(ast.Attribute, ast.ImportFrom),
    hints=("clip_grad_norm",),
)
def clip_grad_norm(node: ast.AST, ctx: Context) -> None:
    if isinstance(node, ast.ImportFrom):
        if node.module in ("torch.nn.utils", "torch.nn.utils.clip_grad") and not node.level:
            for _alias, edits in rename_imports(ctx, node, {"clip_grad_norm": "clip_grad_norm_"}):
                ctx.report(node, edits=edits)
        return
    if isinstance(node.ctx, ast.Load) and ctx.qualname(node) == "torch.nn.utils.clip_grad_norm":  # type: ignore
        ctx.report(node, edits=[rename_tail(ctx, node, "clip_grad_norm_", "nn.utils.clip_grad_norm_")])
