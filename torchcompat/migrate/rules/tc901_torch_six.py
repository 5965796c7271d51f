"""TC901: ``from torch._six import ...`` -> the standard library (``torch._six`` was deleted in 2.0,
PR #94709; ``container_abcs``/``int_classes`` went earlier).

Each imported name becomes a plain-Python binding with the same local name (``string_classes =
(str, bytes)``, ``import collections.abc as container_abcs``, ``from math import inf`` ...), which is
valid on every release. Names without a one-line equivalent (``with_metaclass`` ...) are reported."""

from __future__ import annotations

import ast
from typing import List, Optional

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import statement_lines
from torchcompat.shifts.six import SIX_CONTAINER_ABCS, SIX_MODULE

#: name -> statement template binding ``{local}``
REPLACEMENTS = {
    "string_classes": "{local} = (str, bytes)",
    "int_classes": "{local} = int",
    "container_abcs": "import collections.abc as {local}",
    "inf": "from math import inf as {local}",
    "nan": "from math import nan as {local}",
    "PY2": "{local} = False",
    "PY3": "{local} = True",
    "PY37": "{local} = True",
    "FileNotFoundError": "from builtins import FileNotFoundError as {local}",
    "StringIO": "from io import StringIO as {local}",
    "builtins": "import builtins as {local}",
    "queue": "import queue as {local}",
    "imap": "{local} = map",
}
#: attribute form ``torch._six.name`` -> expression (module needed or None)
EXPRESSIONS = {
    "string_classes": ("(str, bytes)", None),
    "int_classes": ("int", None),
    "container_abcs": ("collections.abc", "collections.abc"),
    "inf": ("math.inf", "math"),
    "nan": ("math.nan", "math"),
    "PY2": ("False", None),
    "PY3": ("True", None),
    "PY37": ("True", None),
    "imap": ("map", None),
}


def _replacement(node: ast.ImportFrom) -> Optional[List[str]]:
    lines = []
    for alias in node.names:
        template = REPLACEMENTS.get(alias.name)
        if template is None:
            return None
        local = alias.asname or alias.name
        line = template.format(local=local)
        if line.endswith(" as " + alias.name) and line.startswith(("from ", "import ")):
            tail = line.rsplit(" as ", 1)[0]
            if tail.endswith("import " + alias.name) or tail.endswith("." + alias.name):
                line = tail  # `from math import inf as inf` -> `from math import inf`
        lines.append(line)
    return lines


@rule(
    "TC901",
    record=SIX_MODULE,
    emits=(),
    also=(SIX_CONTAINER_ABCS,),
    name="torch-six",
    message="torch._six was removed in torch {removed}: use the standard library",
    docs="from torch._six import string_classes, inf -> string_classes = (str, bytes); from math import inf",
    safe=True,
    nodes=(ast.ImportFrom, ast.Attribute),
    hints=("_six",),
)
def torch_six(node: ast.AST, ctx: Context) -> None:
    if isinstance(node, ast.Attribute):
        qual = ctx.qualname(node)
        if qual is None or not qual.startswith("torch._six.") or not isinstance(node.ctx, ast.Load):
            return
        found = EXPRESSIONS.get(qual[len("torch._six.") :])
        if found is None or "." in qual[len("torch._six.") :]:
            ctx.report(node)
            return
        text, module = found
        if module is not None:
            text = ctx.module_ref(module) + text[len(module) :]
        start, end = ctx.span(node)
        ctx.report(node, edits=[(start, end, text)])
        return
    if node.module != "torch._six" or node.level:  # type: ignore[attr-defined]
        return
    lines = _replacement(node)  # type: ignore[arg-type]
    span = statement_lines(ctx, node)  # type: ignore[arg-type]
    if lines is None or span is None:
        ctx.report(
            node,
            message="torch._six was removed in torch {removed}: replace %s by hand (or import it from "
            "torchcompat.six)" % ", ".join(a.name for a in node.names),
        )  # type: ignore[attr-defined]
        return
    indent = ctx.line_indent(node.lineno)
    text = (ctx.newline + indent).join(lines)
    ctx.report(node, edits=[(span[0] + len(indent), span[1], text)])
