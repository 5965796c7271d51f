"""TC981: ``torchaudio.legacy.load`` / ``save`` (removed in torchaudio 0.3): reported. They were
``torchaudio.load`` / ``save`` with ``channels_first=False``; that signature is gone too, so port by hand:
``torchaudio.load(path)`` returns channels first (transpose it)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.shifts.audio import TA_LEGACY


@rule(
    "TC981",
    record=TA_LEGACY,
    emits=(),
    name="ta-legacy",
    message="torchaudio.legacy was removed in torchaudio {removed}: use torchaudio.load / save (channels first)",
    docs="torchaudio.legacy.load(path) -> reported",
    safe=False,
    fixable=False,
    nodes=(ast.Attribute, ast.ImportFrom, ast.Import),
    hints=("torchaudio",),
)
def ta_legacy(node: ast.AST, ctx: Context) -> None:
    if isinstance(node, ast.Import):
        if any(a.name == "torchaudio.legacy" or a.name.startswith("torchaudio.legacy.") for a in node.names):
            ctx.report(node)
        return
    if isinstance(node, ast.ImportFrom):
        module = node.module or ""
        if not node.level and (
            module.startswith("torchaudio.legacy")
            or (module == "torchaudio" and any(a.name == "legacy" for a in node.names))
        ):
            ctx.report(node)
        return
    if isinstance(ctx.parent(node), ast.Attribute):
        return
    qual = ctx.qualname(node) or ""
    if qual.startswith("torchaudio.legacy.") and not isinstance(ctx.parent(node), ast.Import):
        ctx.report(node)
