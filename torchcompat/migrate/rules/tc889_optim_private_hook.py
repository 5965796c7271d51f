"""TC889: ``self._cuda_graph_capture_health_check()`` (renamed in 2.11) -> ``_accelerator_graph_capture_health_check``."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.shifts.optim import OPTIM_PRIVATE_HOOK


@rule(
    "TC889",
    record=OPTIM_PRIVATE_HOOK,
    name="optim-private-hook",
    message="Optimizer._cuda_graph_capture_health_check was renamed in torch {removed}: "
    "_accelerator_graph_capture_health_check",
    docs="self._cuda_graph_capture_health_check() -> self._accelerator_graph_capture_health_check()",
    safe=True,
    portable="",
    nodes=(ast.Attribute,),
    hints=("_cuda_graph_capture_health_check",),
)
def private_hook(node: ast.Attribute, ctx: Context) -> None:
    if node.attr != "_cuda_graph_capture_health_check" or not isinstance(node.ctx, ast.Load):
        return
    if not isinstance(node.value, ast.Name) or node.value.id != "self":
        return
    end = ctx.end(node)
    ctx.report(node, edits=[(end - len(node.attr), end, "_accelerator_graph_capture_health_check")])
