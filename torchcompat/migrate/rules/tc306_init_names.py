"""TC306: ``nn.init.xavier_uniform(w)`` -> ``nn.init.xavier_uniform_(w)`` (PR #6093, torch 0.4).

A ``from torch.nn.init import xavier_uniform`` becomes ``from torch.nn.init import xavier_uniform_ as
xavier_uniform``, so every use in the file keeps working."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import rename_imports, rename_tail
from torchcompat.shifts.nn import NN_INIT_NO_UNDERSCORE

OLD = (
    "uniform",
    "normal",
    "constant",
    "xavier_uniform",
    "xavier_normal",
    "kaiming_uniform",
    "kaiming_normal",
    "orthogonal",
    "sparse",
    "eye",
    "dirac",
)
_QUAL = {"torch.nn.init." + name: name + "_" for name in OLD}


@rule(
    "TC306",
    record=NN_INIT_NO_UNDERSCORE,
    name="init-no-underscore",
    message="nn.init functions without the trailing underscore are deprecated since torch {deprecated}",
    docs="nn.init.xavier_uniform(w) -> nn.init.xavier_uniform_(w) (and the other init functions)",
    safe=True,
    nodes=(ast.Attribute, ast.ImportFrom),
    hints=("nn.init", " init"),
)
def init_names(node: ast.AST, ctx: Context) -> None:
    if isinstance(node, ast.ImportFrom):
        if node.module == "torch.nn.init" and not node.level:
            for alias, edits in rename_imports(ctx, node, {n: n + "_" for n in OLD}):
                ctx.report(
                    node, message="torch.nn.init.%s is deprecated: use %s_" % (alias.name, alias.name), edits=edits
                )
        return
    if not isinstance(node.ctx, ast.Load):  # type: ignore[attr-defined]
        return
    qual = ctx.qualname(node)
    new = _QUAL.get(qual or "")
    if new is None:
        return
    if _keyed_by_own_name(node, new[:-1], ctx):
        ctx.report(
            node,
            message="nn.init.%s is deprecated; kept here: this dict maps the name %r to the attribute itself "
            "(a table to save and restore torch.nn.init), and %s would change what it restores"
            % (new[:-1], new[:-1], new),
        )
        return
    ctx.report(
        node,
        message="nn.init.%s is deprecated: use nn.init.%s" % (new[:-1], new),
        edits=[rename_tail(ctx, node, new, "nn.init." + new)],
    )


def _keyed_by_own_name(node: ast.AST, name: str, ctx: Context) -> bool:
    """``{"uniform": nn.init.uniform}``: the reference is a dict value keyed by its own attribute name. Such a
    table (transformers' and diffusers' ``no_init_weights``) saves torch.nn.init's attributes and restores them:
    the old attribute is the value on purpose, and ``uniform_`` there would change what is restored (the old
    names still exist, deprecated), so the reference is reported, not rewritten."""
    parent = ctx.parent(node)
    if not isinstance(parent, ast.Dict):
        return False
    for key, value in zip(parent.keys, parent.values):
        if value is node:
            return isinstance(key, ast.Constant) and key.value == name
    return False
