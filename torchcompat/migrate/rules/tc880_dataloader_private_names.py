"""TC880: ``from torch.utils.data.dataloader import numpy_type_map, int_classes, string_classes, _use_shared_memory``
(ImportError since 1.1): reported (use ``int``, ``str``, a local copy).

TC881: ``torch.utils.data.dataloader._DataLoaderIter`` / ``DataLoaderIter`` (gone in 1.2): reported
(``_SingleProcessDataLoaderIter`` / ``_MultiProcessingDataLoaderIter``, both private)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.shifts.data import DATA_ITER_CLASS, DATA_PRIVATE_HELPERS

_PRIVATE = {"numpy_type_map", "int_classes", "string_classes", "_use_shared_memory"}


_ITER = {"torch.utils.data.dataloader._DataLoaderIter", "torch.utils.data.dataloader.DataLoaderIter"}


@rule(
    "TC880",
    record=DATA_PRIVATE_HELPERS,
    emits=(),
    name="data-private-helpers",
    message="torch.utils.data.dataloader no longer exports numpy_type_map / int_classes / string_classes / "
    "_use_shared_memory (torch {removed}): use int, str or a local copy",
    docs="from torch.utils.data.dataloader import string_classes -> reported (use str)",
    safe=False,
    fixable=False,
    nodes=(ast.ImportFrom, ast.Attribute),
    hints=("dataloader",),
)
def data_private(node: ast.AST, ctx: Context) -> None:
    if isinstance(node, ast.ImportFrom):
        if node.module == "torch.utils.data.dataloader" and not node.level:
            if any(a.name in _PRIVATE for a in node.names):
                ctx.report(node)
        return
    qual = ctx.qualname(node) or ""
    if qual.rsplit(".", 1)[0] == "torch.utils.data.dataloader" and qual.rsplit(".", 1)[1] in _PRIVATE:
        ctx.report(node)


@rule(
    "TC881",
    record=DATA_ITER_CLASS,
    emits=(),
    name="data-iter-class",
    message="_DataLoaderIter was split in torch {removed}: use _SingleProcessDataLoaderIter or "
    "_MultiProcessingDataLoaderIter (private)",
    docs="dataloader._DataLoaderIter -> reported",
    safe=False,
    fixable=False,
    nodes=(ast.ImportFrom, ast.Attribute),
    hints=("*DataLoaderIter",),
)
def data_iter(node: ast.AST, ctx: Context) -> None:
    if isinstance(node, ast.ImportFrom):
        if node.module == "torch.utils.data.dataloader" and not node.level:
            if any(a.name in ("_DataLoaderIter", "DataLoaderIter") for a in node.names):
                ctx.report(node)
        return
    if ctx.qualname(node) in _ITER:
        ctx.report(node)
