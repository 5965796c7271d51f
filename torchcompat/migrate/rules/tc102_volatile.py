"""TC102: ``Variable(x, volatile=True)`` -> ``with torch.no_grad():`` over the rest of the block.

``volatile`` has been ignored since torch 0.4 (with a warning), so old evaluation code silently
records graphs. Where the scope is clear (the call sits in a statement on its own lines, and the
statements after it in the same block do not call ``backward``/``step``/``autograd.grad``; the
wrapped region stops before a ``def`` or ``class``), the statement and the rest of its block are wrapped in ``with torch.no_grad():``
(``tc.no_grad()`` with ``--portable``) and the wrapper is dropped; elsewhere a warning."""

from __future__ import annotations

import ast
from typing import List, Optional, Set, Tuple

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import delete_statement, expr_text, self_assignment, statement_lines
from torchcompat.migrate.rules._queries import is_const, keyword
from torchcompat.shifts.autograd import AG_VOLATILE

_NO_GRAD = {"torch.no_grad", "torchcompat.no_grad", "torch.inference_mode", "torchcompat.inference_mode"}
_GRAD_CALLS = {"backward", "step", "grad", "zero_grad"}


def _inside_no_grad(ctx: Context, node: ast.AST) -> bool:
    for parent in ctx.ancestors(node):
        if isinstance(parent, (ast.With, ast.AsyncWith)):
            for item in parent.items:
                expr = item.context_expr
                if isinstance(expr, ast.Call) and ctx.qualname(expr.func) in _NO_GRAD:
                    return True
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return False
    return False


def _block_of(ctx: Context, node: ast.AST) -> Optional[Tuple[ast.stmt, ast.AST, List[ast.stmt]]]:
    stmt = node
    while stmt is not None and not isinstance(stmt, ast.stmt):
        stmt = ctx.parent(stmt)
    if stmt is None:
        return None
    owner = ctx.parent(stmt)
    for field in ("body", "orelse", "finalbody"):
        block = getattr(owner, field, None)
        if isinstance(block, list) and any(s is stmt for s in block):
            return stmt, owner, block
    return None


def _needs_grad(stmt: ast.stmt) -> bool:
    """A statement that computes gradients (the rest of the block cannot go under no_grad)."""
    for sub in ast.walk(stmt):
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr in _GRAD_CALLS:
            return True
    return False


def _is_definition(stmt: ast.stmt) -> bool:
    return isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))


def _has_yield(stmts: List[ast.stmt]) -> bool:
    return any(isinstance(sub, (ast.Yield, ast.YieldFrom, ast.Await)) for s in stmts for sub in ast.walk(s))


def _string_lines(ctx: Context) -> Set[int]:
    """Lines that begin inside a multi-line string: they must not be re-indented."""
    return ctx.string_lines()


@rule(
    "TC102",
    record=AG_VOLATILE,
    name="volatile",
    message="volatile=True has no effect since torch {removed} (graphs are recorded): use `with torch.no_grad():`",
    docs="Variable(x, volatile=True) -> x, with the statement and the rest of its block under "
    "`with torch.no_grad():` (--portable: tc.no_grad()); a warning where the scope is not clear",
    safe=False,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("volatile",),
)
def volatile(node: ast.Call, ctx: Context) -> None:
    kw = keyword(node, "volatile")
    if kw is None or ctx.qualname(node.func) != "torch.autograd.Variable":
        return
    if len(node.args) != 1 or isinstance(node.args[0], ast.Starred) or len(node.keywords) != 1:
        ctx.report(node, warning=True)
        return
    start, end = ctx.span(node)
    unwrap = (start, end, expr_text(ctx, node.args[0], node))
    if is_const(kw.value, False):
        ctx.report(node, message="volatile=False is the default: drop the Variable wrapper", edits=[unwrap])
        return
    if not is_const(kw.value, True):
        ctx.report(
            node,
            warning=True,
            message="volatile=<expression> is ignored since torch {removed}: use "
            "`with torch.no_grad():` (or torch.set_grad_enabled(not flag)) around the computation",
        )
        return
    if _inside_no_grad(ctx, node):
        ctx.report(node, message="volatile=True inside `with no_grad()`: drop the Variable wrapper", edits=[unwrap])
        return
    found = _block_of(ctx, node)
    unclear = (
        "volatile=True has no effect since torch {removed}, and the scope to put under `with torch.no_grad():` "
        "is not clear here: wrap the evaluation code by hand"
    )
    if found is None:
        ctx.report(node, warning=True, message=unclear)
        return
    stmt, owner, block = found
    index = next(i for i, s in enumerate(block) if s is stmt)
    region: List[ast.stmt] = []
    dropped = self_assignment(ctx, node, node.args[0])
    if dropped is not None:
        index += 1  # `x = Variable(x, volatile=True)`: the statement goes, the block starts after it
    for s in block[index:]:
        if _is_definition(s):
            break
        region.append(s)
    if any(_needs_grad(s) for s in block[index:]):
        region = []
    key = ("TC102-block", id(owner), id(block))
    if not region or _has_yield(block) or key in ctx.claimed:
        if key in ctx.claimed:
            return  # another volatile call wraps this block in this pass; the next pass unwraps this one
        ctx.report(node, warning=True, message=unclear)
        return
    first = statement_lines(ctx, region[0])
    last = statement_lines(ctx, region[-1])
    if first is None or last is None or (not isinstance(owner, ast.Module) and stmt.lineno == owner.lineno):
        ctx.report(node, warning=True, message=unclear)
        return
    indent = ctx.line_indent(region[0].lineno)
    unit = "\t" if "\t" in indent else "    "
    no_grad = ctx.tc("no_grad") if ctx.portable else ctx.torch("no_grad")
    strings = _string_lines(ctx)
    edits = [(first[0], first[0], "%swith %s():%s%s" % (indent, no_grad, ctx.newline, unit))]
    for lineno in range(region[0].lineno + 1, region[-1].end_lineno + 1):
        if lineno in strings:
            continue
        line = ctx.lines.line(lineno)
        if not line.strip():
            continue
        pos = ctx.lines.starts[lineno - 1]
        edits.append((pos, pos, unit))
    if dropped is not None:
        edits.append(delete_statement(ctx, dropped))
    elif not (edits[0][0] <= start and end <= last[1]):
        ctx.report(node, warning=True, message=unclear)
        return
    else:
        edits.append(unwrap)
    ctx.claimed.add(key)
    ctx.report(node, edits=edits)
