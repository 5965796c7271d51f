"""TC980: ``torchaudio.set_audio_backend(...)`` / ``get_audio_backend()`` (deprecated in torchaudio 2.1, no-ops
from 2.2, removed in 2.9): reported. On 2.2 - 2.8 the call does nothing, so deleting it keeps today's behaviour;
on older releases it chose the I/O backend, which ``load(..., backend=...)`` names per call from 2.1 on. Not
rewritten: which backend the file relied on is a run-time fact."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.shifts.audio import TA_BACKEND_SWITCH

_NAMES = ("torchaudio.set_audio_backend", "torchaudio.get_audio_backend", "torchaudio.list_audio_backends")


@rule(
    "TC980",
    record=TA_BACKEND_SWITCH,
    emits=(),
    name="ta-backend-switch",
    message="torchaudio.set_audio_backend / get_audio_backend are no-ops from torchaudio {changed} and removed "
    "in {removed}: delete the call, or pass backend= to torchaudio.load / save (2.1 - 2.8)",
    docs='torchaudio.set_audio_backend("soundfile") -> reported (a no-op since torchaudio 2.2, removed in 2.9)',
    safe=False,
    fixable=False,
    nodes=(ast.Attribute, ast.Name, ast.ImportFrom),
    hints=("*_audio_backend*", "list_audio_backends"),
)
def ta_backend_switch(node: ast.AST, ctx: Context) -> None:
    if isinstance(node, ast.ImportFrom):
        if node.module == "torchaudio" and not node.level:
            if any("torchaudio." + a.name in _NAMES for a in node.names):
                ctx.report(node)
        return
    if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
        return
    if ctx.qualname(node) in _NAMES:
        ctx.report(node)
