"""TC710: ``torch.backends.cuda.matmul.allow_tf32 = True`` (deprecated in 2.9) ->
``torch.backends.cuda.matmul.fp32_precision = 'tf32'`` (``False`` -> ``'ieee'``). Only assignments of a
literal bool are rewritten; ``cudnn.allow_tf32`` and reads are reported (cudnn's flag now splits into
``cudnn.conv`` and ``cudnn.rnn``)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.shifts.amp import CUDA_TF32_API

_FLAGS = ("torch.backends.cuda.matmul.allow_tf32", "torch.backends.cudnn.allow_tf32")


@rule(
    "TC710",
    record=CUDA_TF32_API,
    name="tf32-api",
    message="allow_tf32 is deprecated since torch {deprecated}: set fp32_precision ('tf32' or 'ieee')",
    docs="torch.backends.cuda.matmul.allow_tf32 = True -> torch.backends.cuda.matmul.fp32_precision = 'tf32'",
    safe=True,
    portable="",
    nodes=(ast.Attribute,),
    hints=("allow_tf32",),
)
def tf32(node: ast.Attribute, ctx: Context) -> None:
    if node.attr != "allow_tf32":
        return
    qual = ctx.qualname(node)
    if qual not in _FLAGS:
        return
    parent = ctx.parent(node)
    if (
        qual == _FLAGS[0]
        and isinstance(node.ctx, ast.Store)
        and isinstance(parent, ast.Assign)
        and len(parent.targets) == 1
        and isinstance(parent.value, ast.Constant)
        and isinstance(parent.value.value, bool)
    ):
        start, end = ctx.span(parent)
        text = "%s = %r" % (
            ctx.source(node)[: -len("allow_tf32")] + "fp32_precision",
            "tf32" if parent.value.value else "ieee",
        )
        ctx.report(node, edits=[(start, end, text)])
    elif isinstance(node.ctx, ast.Store):
        ctx.report(node)
