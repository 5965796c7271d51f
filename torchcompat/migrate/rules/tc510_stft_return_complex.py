"""TC510: ``torch.stft(x, n_fft, ...)`` without ``return_complex``: a real (..., 2) result before 2.0, an
error for real input from 2.0. Fix: ``torch.view_as_real(torch.stft(..., return_complex=True))``, the
same (..., 2) layout on every release from 1.7 (``return_complex``; ``view_as_real`` is 1.6)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import call_rule, keyword
from torchcompat.shifts.fft import FFT_STFT_RETURN_COMPLEX


@rule(
    "TC510",
    record=FFT_STFT_RETURN_COMPLEX,
    name="stft-return-complex",
    message="torch.stft without return_complex raises for real input since torch {removed}: pass "
    "return_complex=True (torch.view_as_real keeps the old (..., 2) layout)",
    docs="torch.stft(x, n) -> torch.view_as_real(torch.stft(x, n, return_complex=True))",
    safe=True,
    portable="",
    nodes=(ast.Call,),
    hints=("stft",),
)
@call_rule(["torch.stft", "torch.functional.stft"])
def stft(call: ast.Call, ctx: Context, qual: str) -> None:
    if keyword(call, "return_complex") is not None or any(k.arg is None for k in call.keywords):
        return
    if len(call.args) > 9 or any(isinstance(a, ast.Starred) for a in call.args):
        return  # return_complex passed positionally (or unknown)
    start, end = ctx.span(call)
    inner = ctx.text[start:end]
    edit_start, edit_end, added = ctx.append_arguments(call, "return_complex=True")
    inner = inner[: edit_start - start] + added + inner[edit_end - start :]
    ctx.report(call, edits=[(start, end, "%s(%s)" % (ctx.torch("view_as_real"), inner))])
