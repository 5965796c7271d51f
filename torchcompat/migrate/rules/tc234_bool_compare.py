"""TC234: ``1 - mask`` where ``mask`` is a comparison or a bool tensor: a RuntimeError on bool since 1.2. Fix: ``(mask
== 0)`` (uint8 before 1.2 and bool after, with the same values on every release)."""

from __future__ import annotations

import ast
import re

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import expr_kind, single_assignment
from torchcompat.shifts.tensor import T_BOOL_COMPARE

_CMP_METHODS = {"eq", "ne", "lt", "gt", "le", "ge", "isnan", "isinf", "logical_not", "bool"}


def _tensorish(ctx: Context, node: ast.AST) -> bool:
    """Whether the expression provably involves a tensor: a ``torch.*`` call or a tensor comparison method."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            qual = ctx.qualname(sub.func)
            if qual is not None and qual.startswith("torch."):
                return True
            if qual is None and isinstance(sub.func, ast.Attribute) and sub.func.attr in _CMP_METHODS:
                return True
    return False


@rule(
    "TC234",
    record=T_BOOL_COMPARE,
    emits=(),
    name="bool-compare",
    message="comparisons give bool tensors since torch {removed} and `1 - mask` raises on bool: use (mask == 0)",
    docs="1 - (a > b) -> ((a > b) == 0)",
    safe=True,
    nodes=(ast.BinOp,),
    hints=(re.compile(r"(?<![\w.])1\s*(?:\\\s*)?-"),),  # the literal 1, then `-` (black: `1\n - x`)
)
def bool_compare(node: ast.BinOp, ctx: Context) -> None:
    if not isinstance(node.op, ast.Sub) or not isinstance(node.left, ast.Constant) or node.left.value != 1:
        return
    if type(node.left.value) is not int:
        return
    if expr_kind(ctx, node.right) not in ("cmp", "bool"):
        return
    target = node.right
    if isinstance(target, ast.Name):
        target = single_assignment(ctx, target)
    if target is None or not _tensorish(ctx, target):
        return  # `1 - (a > b)` on Python numbers is fine
    right = ctx.source(node.right)
    if not isinstance(node.right, (ast.Name, ast.Call, ast.Attribute, ast.Subscript)):
        right = "(" + right + ")"
    start, end = ctx.span(node)
    ctx.report(node, edits=[(start, end, "(%s == 0)" % right)])
