"""TC201: ``x.cuda(async=True)`` -> ``x.cuda(non_blocking=True)``, at token level.

``async`` is a keyword since Python 3.7, so such a file does not even parse: the rule works on the
token stream before the engine parses it (and the parse sees the fixed text)."""

from __future__ import annotations

import re
import tokenize

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.shifts.tensor import T_ASYNC_KWARG

_HINT = re.compile(r"\basync\s*=(?!=)")


@rule(
    "TC201",
    record=T_ASYNC_KWARG,
    name="async-kwarg",
    message="async= is a SyntaxError on Python >= 3.7 (torch {deprecated} renamed it): use non_blocking=",
    docs="x.cuda(async=True), y.copy_(x, async=True) -> non_blocking=True",
    safe=True,
    tokens=True,
    hints=("async",),
)
def async_kwarg(ctx: Context) -> None:
    if not _HINT.search(ctx.text):
        return
    tokens = ctx.load_tokens()
    depth = 0
    previous = None
    for i, tok in enumerate(tokens):
        if tok.type == tokenize.OP and tok.string in "([{":
            depth += 1
        elif tok.type == tokenize.OP and tok.string in ")]}":
            depth -= 1
        elif (
            tok.type == tokenize.NAME
            and tok.string == "async"
            and depth > 0
            and previous is not None
            and previous.string in ("(", ",")
            and i + 1 < len(tokens)
            and tokens[i + 1].type == tokenize.OP
            and tokens[i + 1].string == "="
        ):
            start = ctx.lines.starts[tok.start[0] - 1] + tok.start[1]
            edit = (start, start + len("async"), "non_blocking")
            ctx.parse_edits.append(edit)
            ctx.report(offset=start, edits=[edit])
        if tok.type not in (tokenize.NL, tokenize.COMMENT):
            previous = tok
