"""TC105: ``backward(retain_variables=True)`` -> ``backward(retain_graph=True)``."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import keyword
from torchcompat.shifts.autograd import AG_RETAIN_VARIABLES

_FUNCS = {"torch.autograd.backward", "torch.autograd.grad"}


@rule(
    "TC105",
    record=AG_RETAIN_VARIABLES,
    name="retain-variables",
    message="retain_variables= was removed in torch {removed}: use retain_graph=",
    docs="x.backward(retain_variables=True) -> x.backward(retain_graph=True)",
    safe=True,
    nodes=(ast.Call,),
    hints=("retain_variables",),
)
def retain_variables(node: ast.Call, ctx: Context) -> None:
    kw = keyword(node, "retain_variables")
    if kw is None:
        return
    func = node.func
    if not ((isinstance(func, ast.Attribute) and func.attr == "backward") or ctx.qualname(func) in _FUNCS):
        return
    span = ctx.keyword_name_span(node, kw)
    if span is None or keyword(node, "retain_graph") is not None:
        ctx.report(node)
        return
    ctx.report(node, edits=[(span[0], span[1], "retain_graph")])
