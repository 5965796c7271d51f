"""Source text and edits shared by the rules: parenthesised expression text, renames of references and
imports, whole-statement deletion, rewrites of a call whose old result was a tuple; not a rule."""

from __future__ import annotations

import ast
import re
from typing import Any, Dict, List, Optional, Tuple

from torchcompat.migrate.context import Context
from torchcompat.migrate.rules._queries import import_alias_spans, scope_of, unused_target

Edit = Tuple[int, int, str]


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


def arg_src(ctx: Context, node: ast.AST) -> str:
    """Source of an expression placed as a call argument."""
    text = ctx.source(node)
    if isinstance(node, ast.GeneratorExp) and not text.startswith("("):
        return "(" + text + ")"
    if isinstance(node, ast.NamedExpr) if hasattr(ast, "NamedExpr") else False:
        return "(" + text + ")"
    return text


def replace_call(ctx: Context, call: ast.Call, new: str) -> List[Edit]:
    start, end = ctx.span(call)
    return [(start, end, new)]


def dims_tuple(k: int) -> str:
    return "(" + ", ".join(str(-i) for i in range(k, 0, -1)) + ("," if k == 1 else "") + ")"


def rename_tail(ctx: Context, node: ast.AST, new: str, path: str) -> Tuple[int, int, str]:
    """Edit renaming a reference: the last attribute of ``a.b.old`` (keeps the module's alias), or a
    bare name imported with ``from ... import old`` (written as ``torch.<path>``)."""
    if isinstance(node, ast.Attribute):
        end = ctx.end(node)
        return end - len(node.attr), end, new
    start, end = ctx.span(node)
    return start, end, ctx.torch(path)


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


def first_of_pair(ctx: Context, call: ast.Call, new: str, attr: Optional[str] = None) -> Optional[List[Edit]]:
    """Edits replacing a call whose old result is a tuple ``(X, extra)`` by ``new`` (which returns X
    alone), where the use proves only X is read:

    * ``old(...)[0]`` -> ``new``
    * ``X, _ = old(...)`` (or the second name never read) -> ``X = new``
    * ``old(...).<attr>`` (``.solution``) -> ``new``

    None for any other use: the caller reports without a fix."""
    parent = ctx.parent(call)
    if isinstance(parent, ast.Subscript) and parent.value is call:
        index = parent.slice
        if isinstance(index, ast.Index):  # Python 3.8
            index = index.value  # type: ignore[attr-defined]
        if isinstance(index, ast.Constant) and index.value == 0 and isinstance(parent.ctx, ast.Load):
            start, end = ctx.span(parent)
            return [(start, end, new)]
        return None
    if attr is not None and isinstance(parent, ast.Attribute) and parent.value is call and parent.attr == attr:
        start, end = ctx.span(parent)
        return [(start, end, new)]
    if isinstance(parent, ast.Assign) and parent.value is call and len(parent.targets) == 1:
        target = parent.targets[0]
        if isinstance(target, (ast.Tuple, ast.List)) and len(target.elts) == 2:
            first, second = target.elts
            if isinstance(first, ast.Starred) or isinstance(second, ast.Starred):
                return None
            if not unused_target(ctx, second, scope_of(ctx, parent)):
                return None
            t_start, t_end = ctx.span(target)
            c_start, c_end = ctx.span(call)
            return [(t_start, t_end, ctx.source(first)), (c_start, c_end, new)]
    return None
