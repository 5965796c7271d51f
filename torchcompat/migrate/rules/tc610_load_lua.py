"""TC610: ``torch.utils.serialization.load_lua`` (removed in 1.0): reported; the third-party ``torchfile.load(path)``
reads the .t7 file (not a drop-in: it returns NumPy arrays and dicts)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.shifts.serialization import SER_LOAD_LUA


@rule(
    "TC610",
    record=SER_LOAD_LUA,
    emits=(),
    name="load-lua",
    message="torch.utils.serialization.load_lua was removed in torch {removed}: read .t7 files with the "
    "third-party torchfile.load(path)",
    docs="load_lua(path) -> reported (torchfile.load(path))",
    safe=False,
    fixable=False,
    nodes=(ast.Attribute, ast.ImportFrom),
    hints=("load_lua", "serialization"),
)
def load_lua(node: ast.AST, ctx: Context) -> None:
    if isinstance(node, ast.ImportFrom):
        if node.module == "torch.utils.serialization" and not node.level:  # the module lives on (config)
            if any(alias.name == "load_lua" for alias in node.names):
                ctx.report(node)
        return
    if isinstance(node, ast.Attribute) and ctx.qualname(node) == "torch.utils.serialization.load_lua":
        ctx.report(node)  # a Name comes from a `from ... import`, reported there
