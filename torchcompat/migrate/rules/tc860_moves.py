"""TC860-TC873: plain renames and moves, generated from the registry's ``Moved`` rows (as six's ``moves``).

One row (``CUDA_MEMORY_CACHED.moved("torch.cuda.memory_cached", "torch.cuda.memory_reserved", code="TC860",
adapter="cuda.memory_reserved")`` in ``torchcompat/shifts/amp.py``) gives the rule, the adapter, the
restore and the docs row. The rule's minimum version is the row's ``added``; ``--portable`` writes the
row's ``tc.<adapter>`` (or, without one, the plain rename from the floor release on).
A reference ``a.b.old`` keeps its module alias when the new name lives in the same module
(``torch.cuda.memory_cached`` -> ``torch.cuda.memory_reserved``), else it is written in full;
``from m import old`` becomes ``from m import new as old`` when ``m`` also holds the new name."""

from __future__ import annotations

import ast
from typing import Any, List

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import rename_imports
from torchcompat.registry import REGISTRY


def _module(qual: str) -> str:
    return qual.rsplit(".", 1)[0]


def _make(move: Any) -> Any:
    old_name = move.old.rsplit(".", 1)[1]
    new_name = move.new.rsplit(".", 1)[1]
    same_module = _module(move.old) == _module(move.new)

    def visit(node: ast.AST, ctx: Context) -> None:
        if isinstance(node, ast.ImportFrom):
            if node.module == _module(move.old) and not node.level:
                _import(node, ctx)
            return
        if not isinstance(getattr(node, "ctx", None), ast.Load) or ctx.qualname(node) != move.old:
            return
        start, end = ctx.span(node)
        if ctx.portable and move.adapter:
            ctx.report(node, edits=[(start, end, ctx.tc(move.adapter))])
        elif isinstance(node, ast.Attribute) and same_module:
            ctx.report(node, edits=[(end - len(node.attr), end, new_name)])
        elif isinstance(node, ast.Name):
            ctx.report(node)  # `from m import old`: the fix rewrites the import line (reported too)
        else:
            ctx.report(node, edits=[(start, end, ctx.torch(move.new[len("torch.") :]))])

    def _import(node: ast.ImportFrom, ctx: Context) -> None:
        """The import of the old name is reported, and fixed: ``new as old`` from the same module, or the
        whole statement pointed at the new module when it imports this one name only."""
        names = [alias for alias in node.names if alias.name == old_name]
        if not names:
            return
        where = names[0] if getattr(names[0], "lineno", None) else node
        if ctx.portable and move.adapter:
            ctx.report(where)
        elif same_module:
            for _alias, edits in rename_imports(ctx, node, {old_name: new_name}):
                ctx.report(where, edits=edits)
        elif len(node.names) == 1:
            alias = node.names[0]
            local = alias.asname or alias.name
            text = "from %s import %s" % (
                _module(move.new),
                new_name if local == new_name else "%s as %s" % (new_name, local),
            )
            start, end = ctx.span(node)
            ctx.report(where, edits=[(start, end, text)])
        else:
            ctx.report(where)

    visit.__name__ = "move_" + old_name
    return visit


def _rows() -> List[Any]:
    """The registry's ``Moved`` rows that name a rule code."""
    return [move for move in REGISTRY.moves() if move.code]


for _move in _rows():
    _old_name = _move.old.rsplit(".", 1)[1]
    rule(
        _move.code,
        record=_move.shift,
        emits=(_move,),  # the row's own ``added``: the first release that has ``new``
        name="move-" + _old_name.strip("_").replace("_", "-"),
        message="%s is deprecated: use %s" % (_move.old, _move.new),
        docs="%s -> %s" % (_move.old, _move.new),
        example=("%s(...)" % _move.old, "%s(...)" % _move.new),
        safe=_move.safe,
        portable="adapter" if _move.adapter else "plain",
        nodes=(ast.Attribute, ast.Name, ast.ImportFrom),
        hints=(_old_name,),  # the old name: in the code or in the import line of an alias
    )(_make(_move))
