"""TC104: legacy ``autograd.Function`` (instance ``forward(self, ...)``, called as ``F()(x)``) ->
static-method style (``@staticmethod forward(ctx, ...)``, called as ``F.apply(x)``). Unsafe.

Legacy Functions stopped working in torch 1.5. The rewrite turns ``self`` into ``ctx`` in ``forward``
and ``backward``, and state set in a simple ``__init__`` (``self.a = a``) into extra ``forward``
arguments stored on ``ctx`` (``backward`` then returns ``None`` for each). It is applied only when every
use of the class in the file is ``Cls(...)(...)``, ``__init__`` only stores its arguments, and each
``backward`` return can be extended; otherwise the class is reported for a rewrite by hand."""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Tuple

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.shifts.autograd import AG_LEGACY_FUNCTION

Edit = Tuple[int, int, str]


def _is_static(fn: ast.FunctionDef) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in fn.decorator_list)


def _first_body_stmt(fn: ast.FunctionDef) -> Optional[ast.stmt]:
    body = fn.body
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(getattr(body[0], "value", None), ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        return body[1] if len(body) > 1 else None
    return body[0] if body else None


def _names_in(node: ast.AST) -> List[ast.Name]:
    return [n for n in ast.walk(node) if isinstance(n, ast.Name)]


def _parse_init(
    ctx: Context, init: ast.FunctionDef
) -> Optional[Tuple[List[str], Dict[str, str], List[Tuple[str, str]]]]:
    """(parameter names, their default sources, [(attribute, value source)]) of a storing __init__."""
    args = init.args
    if args.vararg or args.kwarg or args.kwonlyargs or getattr(args, "posonlyargs", []) or len(args.args) < 1:
        return None
    params = [a.arg for a in args.args[1:]]
    defaults = {}
    for a, d in zip(args.args[len(args.args) - len(args.defaults) :], args.defaults):
        defaults[a.arg] = ctx.source(d)
    stores = []
    for stmt in init.body:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # docstring
        if (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Attribute)
            and stmt.value.func.attr == "__init__"
        ):
            continue  # super().__init__() / Function.__init__(self)
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Attribute)
            and isinstance(stmt.targets[0].value, ast.Name)
            and stmt.targets[0].value.id == "self"
            and all(n.id in params or n.id in ("True", "False", "None") for n in _names_in(stmt.value))
        ):
            stores.append((stmt.targets[0].attr, ctx.source(stmt.value)))
            continue
        return None
    return params, defaults, stores


def _extend_return(ctx: Context, ret: ast.Return, n_inputs: int, extra: int) -> Optional[Edit]:
    if ret.value is None:
        return None
    nones = ", None" * extra
    if isinstance(ret.value, ast.Tuple):
        if not ret.value.elts:
            return None
        last = ret.value.elts[-1]
        end = ctx.end(last)
        return end, end, nones
    if n_inputs != 1:
        return None
    start, end = ctx.span(ret.value)
    return end, end, nones


@rule(
    "TC104",
    record=AG_LEGACY_FUNCTION,
    name="legacy-function",
    message="legacy autograd.Function (instance forward/backward) fails since torch {removed}: use static "
    "forward(ctx, ...)/backward(ctx, ...) and Cls.apply(...)",
    docs="class F(Function): def forward(self, x) ... F()(x) -> @staticmethod def forward(ctx, x) ... F.apply(x); "
    "__init__ state becomes extra forward arguments",
    safe=False,
    nodes=(ast.ClassDef,),
    hints=("Function",),
)
def legacy_function(node: ast.ClassDef, ctx: Context) -> None:
    if not any(ctx.qualname(b) == "torch.autograd.Function" for b in node.bases):
        return
    methods = {s.name: s for s in node.body if isinstance(s, ast.FunctionDef)}
    forward = methods.get("forward")
    if forward is None or _is_static(forward):
        return
    edits = _rewrite(ctx, node, methods)
    if edits is None:
        ctx.report(
            node,
            warning=True,
            message="legacy autograd.Function %s fails since torch {removed} and is too "
            "involved for an automatic rewrite: make forward/backward static methods taking ctx, and "
            "call %s.apply(...)" % (node.name, node.name),
        )
        return
    ctx.report(
        node,
        message="legacy autograd.Function %s fails since torch {removed}: rewritten to static "
        "forward(ctx, ...)/backward(ctx, ...) and %s.apply(...)" % (node.name, node.name),
        edits=edits,
    )


def _rewrite(ctx: Context, cls: ast.ClassDef, methods: Dict[str, ast.FunctionDef]) -> Optional[List[Edit]]:
    forward, backward = methods["forward"], methods.get("backward")
    if backward is None or _is_static(backward) or set(methods) - {"forward", "backward", "__init__"}:
        return None
    if any(not isinstance(s, (ast.FunctionDef, ast.Expr, ast.Pass)) for s in cls.body):
        return None
    init = methods.get("__init__")
    params: List[str] = []
    defaults: Dict[str, str] = {}
    stores: List[Tuple[str, str]] = []
    if init is not None:
        parsed = _parse_init(ctx, init)
        if parsed is None:
            return None
        params, defaults, stores = parsed
    edits: List[Edit] = []
    nl = ctx.newline
    fargs = forward.args
    inputs = [a.arg for a in fargs.args[1:]]
    if (
        not fargs.args
        or fargs.args[0].arg != "self"
        or fargs.vararg
        or fargs.kwarg
        or fargs.kwonlyargs
        or (params and fargs.defaults)
        or set(params) & set(inputs)
        or "ctx" in inputs
    ):
        return None
    for fn in (forward, backward):
        if not fn.args.args or fn.args.args[0].arg != "self" or ctx_name_used(fn):
            return None
        first_arg = fn.args.args[0]
        start = ctx.start(first_arg)
        edits.append((start, start + len("self"), "ctx"))
        for name in _names_in(fn):
            if name.id == "self":
                s = ctx.start(name)
                edits.append((s, s + 4, "ctx"))
        def_line = fn.decorator_list[0].lineno if fn.decorator_list else fn.lineno
        indent = ctx.line_indent(def_line)
        pos = ctx.lines.starts[def_line - 1]
        edits.append((pos, pos, indent + "@staticmethod" + nl))
    if params:
        last = fargs.args[-1]
        end = ctx.end(last)
        edits.append((end, end, ", " + ", ".join(params)))
        first = _first_body_stmt(forward)
        if first is None or first.lineno == forward.lineno:
            return None
        indent = ctx.line_indent(first.lineno)
        pos = ctx.lines.starts[first.lineno - 1]
        edits.append((pos, pos, "".join("%sctx.%s = %s%s" % (indent, attr, value, nl) for attr, value in stores)))
        returns = [r for r in ast.walk(backward) if isinstance(r, ast.Return)]
        if not returns:
            return None
        for ret in returns:
            edit = _extend_return(ctx, ret, len(inputs), len(params))
            if edit is None:
                return None
            edits.append(edit)
    if init is not None:
        first_line = init.decorator_list[0].lineno if init.decorator_list else init.lineno
        start = ctx.lines.starts[first_line - 1]
        end = ctx.lines.starts[init.end_lineno] if init.end_lineno < len(ctx.lines.starts) else len(ctx.text)
        # also swallow one blank line after the method
        if end < len(ctx.text) and not ctx.lines.line(init.end_lineno + 1).strip():
            end = (
                ctx.lines.starts[init.end_lineno + 1] if init.end_lineno + 1 < len(ctx.lines.starts) else len(ctx.text)
            )
        edits.append((start, end, ""))
    calls = _call_sites(ctx, cls, params, defaults)
    if calls is None:
        return None
    edits.extend(calls)
    return edits


def ctx_name_used(fn: ast.FunctionDef) -> bool:
    return any(n.id == "ctx" for n in _names_in(fn)) or any(a.arg == "ctx" for a in fn.args.args)


def _call_sites(ctx: Context, cls: ast.ClassDef, params: List[str], defaults: Dict[str, str]) -> Optional[List[Edit]]:
    edits: List[Edit] = []
    inside = {id(n) for n in ast.walk(cls)}
    for node in ctx.names_of(cls.name):
        if id(node) in inside:
            continue
        maker = ctx.parent(node)
        outer = ctx.parent(maker) if maker is not None else None
        if not (
            isinstance(maker, ast.Call) and maker.func is node and isinstance(outer, ast.Call) and outer.func is maker
        ):
            return None
        if outer.keywords or any(isinstance(a, ast.Starred) for a in outer.args + maker.args):
            return None
        values: Dict[str, str] = {}
        if len(maker.args) > len(params):
            return None
        for name, arg in zip(params, maker.args):
            values[name] = ctx.source(arg)
        for kw in maker.keywords:
            if kw.arg not in params or kw.arg in values:
                return None
            values[kw.arg] = ctx.source(kw.value)
        for name in params:
            if name not in values:
                if name not in defaults:
                    return None
                values[name] = defaults[name]
        args = [ctx.source(a) for a in outer.args] + [values[p] for p in params]
        start, end = ctx.span(outer)
        edits.append((start, end, "%s.apply(%s)" % (ctx.source(node), ", ".join(args))))
    return edits
