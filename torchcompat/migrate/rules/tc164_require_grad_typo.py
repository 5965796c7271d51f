"""TC164: ``x.require_grad = True``: tensors accept any attribute, so the misspelling sets a new Python attribute
and leaves ``requires_grad`` unchanged on every release (TorchFix TOR002). Reported, not rewritten: the fix
(``x.requires_grad = ...``) would change what the program computes, from what it did to what the line says,
and ``x`` may be an object of the user's own with that attribute. Only assignments are matched."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.shifts.typos import REQUIRE_GRAD_TYPO


@rule(
    "TC164",
    record=REQUIRE_GRAD_TYPO,
    name="require-grad-typo",
    message="`require_grad` is a typo: this sets a new attribute and requires_grad stays unchanged; "
    "did you mean `requires_grad`?",
    docs="x.require_grad = True -> x.requires_grad = True",
    emits=(),
    safe=False,
    fixable=False,
    nodes=(ast.Attribute,),
    hints=("require_grad",),
)
def require_grad_typo(node: ast.Attribute, ctx: Context) -> None:
    if node.attr != "require_grad" or not isinstance(node.ctx, ast.Store):
        return
    ctx.report(node)
