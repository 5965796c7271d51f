"""TC970: torchtext's legacy data API (``torchtext.data.Field``, ``BucketIterator``, ``Iterator``,
``TabularDataset`` ...; ``torchtext.legacy.data.*``): moved to ``torchtext.legacy`` in 0.9 and deleted in 0.12.
Reported with guidance, never rewritten: no release after 0.11 has these classes, and their replacement
(``DataLoader`` + ``build_vocab_from_iterator`` + a tokenizer) is a redesign. On torchtext 0.9 - 0.11 the
``torchtext.legacy.data`` path works; pin ``torchtext<0.12`` (torch <= 1.10) to run such code unchanged."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.shifts.text import TT_LEGACY_DATA

#: The classes 0.9 moved to torchtext.legacy.data (torchtext/legacy/README.rst of 0.9.0).
LEGACY = {
    "Field", "RawField", "ReversibleField", "SubwordField", "NestedField", "LabelField", "Batch", "Example",
    "Iterator", "BucketIterator", "BPTTIterator", "Pipeline", "Dataset", "TabularDataset",
}  # fmt: skip
_MODULES = ("torchtext.data", "torchtext.legacy.data")


def _legacy(qual: str) -> bool:
    module, _, name = qual.rpartition(".")
    if module.startswith("torchtext.data.") or module.startswith("torchtext.legacy.data."):
        module = module.rsplit(".", 1)[0]  # torchtext.data.field.Field
    return module in _MODULES and name in LEGACY


@rule(
    "TC970",
    record=TT_LEGACY_DATA,
    emits=(),
    name="tt-legacy-data",
    message="torchtext's Field / Iterator / BucketIterator moved to torchtext.legacy in {deprecated} and were "
    "removed in torchtext {removed}: pin torchtext<0.12, or port to DataLoader + build_vocab_from_iterator",
    docs="from torchtext.data import Field, BucketIterator -> reported (removed in torchtext 0.12)",
    safe=False,
    fixable=False,
    nodes=(ast.Attribute, ast.ImportFrom),
    hints=("torchtext",),
)
def tt_legacy_data(node: ast.AST, ctx: Context) -> None:
    if isinstance(node, ast.ImportFrom):
        if not node.level and node.module and any(_legacy(node.module + "." + a.name) for a in node.names):
            ctx.report(node)
        return
    if isinstance(ctx.parent(node), ast.Attribute):
        return  # report the outermost reference only
    if _legacy(ctx.qualname(node) or ""):
        ctx.report(node)
