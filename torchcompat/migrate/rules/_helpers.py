"""Small helpers shared by the rule modules (not a rule)."""

from __future__ import annotations

import ast
import re
from typing import Any, Dict, List, Optional, Tuple

from torchcompat.migrate.engine import Context

_ATOMIC = (
    ast.Name,
    ast.Constant,
    ast.Attribute,
    ast.Call,
    ast.Subscript,
    ast.List,
    ast.Dict,
    ast.Set,
    ast.ListComp,
    ast.DictComp,
    ast.SetComp,
    ast.GeneratorExp,
    ast.JoinedStr,
)
_BRACKETED = (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp, ast.GeneratorExp)


def needs_parens(ctx: Context, node: ast.AST) -> bool:
    """Whether ``node``'s source must be parenthesised where a call expression stood."""
    if not isinstance(node, _ATOMIC):
        return True
    if "\n" not in ctx.source(node) and "\r" not in ctx.source(node):
        return False
    if isinstance(node, _BRACKETED):
        return False
    if isinstance(node, ast.Call):
        return needs_parens(ctx, node.func) or "\n" in ctx.source(node.func)
    if isinstance(node, ast.Subscript):
        return needs_parens(ctx, node.value) or "\n" in ctx.source(node.value)
    return True


_LOW_PRECEDENCE = (ast.BinOp, ast.BoolOp, ast.Compare, ast.UnaryOp, ast.IfExp)


def _any_expression_fits(ctx: Context, where: ast.AST) -> bool:
    """Whether the slot of call ``where`` takes any non-tuple expression without parentheses."""
    parent = ctx.parent(where)
    if isinstance(parent, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Expr, ast.keyword)):
        return getattr(parent, "value", None) is where
    if isinstance(parent, ast.Call):
        return any(a is where for a in parent.args)
    return False


def expr_text(ctx: Context, node: ast.AST, where: Optional[ast.AST] = None) -> str:
    """Source of ``node`` to put where the expression ``where`` (a call being unwrapped) stood,
    parenthesised when needed."""
    text = ctx.source(node)
    if not needs_parens(ctx, node):
        return text
    if (
        where is not None
        and isinstance(node, _LOW_PRECEDENCE)
        and "\n" not in text
        and _any_expression_fits(ctx, where)
    ):
        return text
    return "(" + text + ")"


def receiver_text(ctx: Context, node: ast.AST) -> str:
    """Source of ``node`` used as the receiver of an appended ``.attr`` / ``.method()``: parenthesised
    unless it is a name, attribute, call, subscript, display or string (``a * 0.5`` -> ``(a * 0.5)``,
    ``-x`` -> ``(-x)``, ``0.5`` -> ``(0.5)``; ``x.detach()`` must never bind to the last operand only)."""
    text = ctx.source(node)
    if isinstance(node, ast.Constant) and type(node.value) in (int, float, complex):
        return "(" + text + ")"
    if needs_parens(ctx, node):
        return "(" + text + ")"
    return text


def keyword(call: ast.Call, name: str) -> Optional[ast.keyword]:
    for kw in call.keywords:
        if kw.arg == name:
            return kw
    return None


def is_const(node: Any, value: Any) -> bool:
    return isinstance(node, ast.Constant) and node.value is value


def int_value(node: Any) -> Optional[int]:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = int_value(node.operand)
        return -inner if inner is not None else None
    return None


def rename_tail(ctx: Context, node: ast.AST, new: str, path: str) -> Tuple[int, int, str]:
    """Edit renaming a reference: the last attribute of ``a.b.old`` (keeps the module's alias), or a
    bare name imported with ``from ... import old`` (written as ``torch.<path>``)."""
    if isinstance(node, ast.Attribute):
        end = ctx.end(node)
        return end - len(node.attr), end, new
    start, end = ctx.span(node)
    return start, end, ctx.torch(path)


def import_alias_spans(ctx: Context, node: ast.ImportFrom) -> Dict[int, Tuple[int, int]]:
    """Span of each ``name`` (not its ``as`` part) in a ``from m import a, b as c`` statement."""
    spans: Dict[int, Tuple[int, int]] = {}
    stmt_start, stmt_end = ctx.span(node)
    text = ctx.text
    keyword_at = re.search(r"\bimport\b", text[stmt_start:stmt_end])
    pos = stmt_start + (keyword_at.end() if keyword_at else 0)
    for i, alias in enumerate(node.names):
        if getattr(alias, "lineno", None) is not None:
            start = ctx.start(alias)
            spans[i] = (start, start + len(alias.name))
            continue
        found = re.compile(r"\b%s\b" % re.escape(alias.name)).search(text, pos, stmt_end)
        if found is None:
            break
        spans[i] = (found.start(), found.end())
        pos = found.end()
    return spans


def rename_imports(ctx: Context, node: ast.ImportFrom, mapping: Dict[str, str]) -> List[Tuple[Any, list]]:
    """For ``from m import old`` of a renamed function: edits writing ``new as old`` (so that every use
    in the file keeps working). Returns ``[(alias, edits)]`` for the aliases in ``mapping``."""
    out = []
    spans = import_alias_spans(ctx, node)
    for i, alias in enumerate(node.names):
        if alias.name not in mapping or i not in spans:
            continue
        start, end = spans[i]
        new = mapping[alias.name]
        text = new if alias.asname else "%s as %s" % (new, alias.name)
        out.append((alias, [(start, end, text)]))
    return out


def statement_lines(ctx: Context, stmt: ast.stmt) -> Optional[Tuple[int, int]]:
    """(start, end) offsets of whole lines holding exactly ``stmt`` (nothing else on them but a
    trailing comment), or None."""
    start, end = ctx.span(stmt)
    line_start = ctx.lines.starts[stmt.lineno - 1]
    if ctx.text[line_start:start].strip(" \t"):
        return None
    rest_end = ctx.lines.starts[stmt.end_lineno] if stmt.end_lineno < len(ctx.lines.starts) else len(ctx.text)
    rest = ctx.text[end:rest_end]
    if not re.match(r"^[ \t]*(#[^\r\n]*)?(\r\n|\r|\n)?$", rest):
        return None
    return line_start, end


def self_assignment(ctx: Context, call: ast.Call, arg: ast.AST) -> Optional[ast.stmt]:
    """The statement ``x = Wrapper(x)`` when unwrapping ``call`` would leave ``x = x``, and the
    statement can be deleted (alone on its lines, not the only one of its block)."""
    parent = ctx.parent(call)
    if not (isinstance(parent, ast.Assign) and parent.value is call and len(parent.targets) == 1):
        return None
    target = parent.targets[0]
    if not (isinstance(target, ast.Name) and isinstance(arg, ast.Name) and target.id == arg.id):
        return None
    owner = ctx.parent(parent)
    for field in ("body", "orelse", "finalbody"):
        block = getattr(owner, field, None)
        if isinstance(block, list) and any(s is parent for s in block):
            if len(block) > 1 and statement_lines(ctx, parent) is not None:
                return parent
    return None


def delete_statement(ctx: Context, stmt: ast.stmt) -> Tuple[int, int, str]:
    """Edit removing the whole lines of ``stmt`` (see :func:`statement_lines`)."""
    start = ctx.lines.starts[stmt.lineno - 1]
    end = ctx.lines.starts[stmt.end_lineno] if stmt.end_lineno < len(ctx.lines.starts) else len(ctx.text)
    return start, end, ""
