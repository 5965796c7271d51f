"""TC950: ``functorch`` -> ``torch.func`` (functorch is deprecated since torch 2.0).

``from functorch import vmap, grad`` -> ``from torch.func import vmap, grad`` where every imported name
has a ``torch.func`` twin; ``functorch.vmap(...)`` -> ``torch.func.vmap(...)``. ``make_functional`` and
friends have no twin (``torch.func.functional_call`` replaces them): a finding without a fix."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.shifts.func import FUNC_FUNCTORCH

TWINS = {"vmap", "grad", "grad_and_value", "jacrev", "jacfwd", "jvp", "vjp", "hessian", "functionalize", "linearize"}


@rule(
    "TC950",
    record=FUNC_FUNCTORCH,
    name="functorch",
    message="functorch is deprecated since torch {deprecated}: use torch.func",
    docs="from functorch import vmap, grad -> from torch.func import vmap, grad; functorch.vmap -> torch.func.vmap "
    "(make_functional: by hand, with torch.func.functional_call)",
    safe=True,
    nodes=(ast.ImportFrom, ast.Attribute),
    hints=("functorch",),
)
def functorch(node: ast.AST, ctx: Context) -> None:
    if isinstance(node, ast.ImportFrom):
        if node.module != "functorch" or node.level:
            return
        names = {a.name for a in node.names}
        if not names <= TWINS:
            ctx.report(
                node,
                message="functorch is deprecated since torch {deprecated}: %s has no torch.func twin (use "
                "torch.func.functional_call)" % ", ".join(sorted(names - TWINS)),
            )
            return
        start = ctx.start(node)
        text = ctx.text
        at = text.index("functorch", start)
        ctx.report(node, edits=[(at, at + len("functorch"), "torch.func")])
        return
    if not isinstance(node.ctx, ast.Load) or not isinstance(node.value, ast.Name):  # type: ignore[attr-defined]
        return
    qual = ctx.qualname(node)
    if qual is None or not qual.startswith("functorch.") or qual.count(".") != 1:
        return
    attr = qual.split(".", 1)[1]
    if attr not in TWINS:
        ctx.report(node, message="functorch.%s has no torch.func twin: rewrite by hand" % attr)
        return
    start, end = ctx.span(node)
    ctx.report(node, edits=[(start, end, ctx.torch("func." + attr))])
