"""TC104: legacy ``autograd.Function`` (instance ``forward(self, ...)``, called as ``F()(x)``) ->
static-method style (``@staticmethod forward(ctx, ...)``, called as ``F.apply(x)``). Unsafe.

Legacy Functions warn from torch 1.2 and raise from 1.5 (the release matrix agrees). The rewrite turns
``self`` into ``ctx`` in ``forward`` and ``backward`` (``save_for_backward``, ``saved_tensors`` and the 0.3
name ``saved_variables``, ``needs_input_grad``, ``mark_dirty``, any other attribute), and state set in a
simple ``__init__`` (``self.a = a``) into extra ``forward`` arguments stored on ``ctx`` (``backward`` then
returns ``None`` for each). Uses become ``F.apply``: ``F(a)(x)`` -> ``F.apply(x, a)``; ``f = F(a)`` whose
only uses in its scope are calls ``f(x)`` -> ``F.apply(x, a)`` (the assignment goes; ``a`` must be a
literal); ``self.f = F()`` called as ``self.f(x)`` -> ``self.f = F.apply``. In project mode the class may
be imported by sibling modules (``from funcs import F``): their uses are checked and rewritten too. Any
other shape is reported with the specific reason (another method on ``self``, an instance handed to
other code, a constructor argument that is not a literal ...)."""

from __future__ import annotations

import ast
import dataclasses
from typing import Any, Dict, List, Optional, Set, Tuple, Union

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import delete_statement
from torchcompat.migrate.rules._queries import scope_index, scope_of, single_assignment
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
    "f = F(); f(x) -> F.apply(x); __init__ state becomes extra forward arguments",
    safe=False,
    nodes=(ast.ClassDef, ast.ImportFrom),
    hints=("Function",),
)
def legacy_function(node: ast.AST, ctx: Context) -> None:
    if isinstance(node, ast.ImportFrom):
        _imported_uses(node, ctx)
        return
    assert isinstance(node, ast.ClassDef)
    if not any(ctx.qualname(b) == "torch.autograd.Function" for b in node.bases):
        return
    methods = {s.name: s for s in node.body if isinstance(s, ast.FunctionDef)}
    forward = methods.get("forward")
    if forward is None or _is_static(forward):
        return
    edits = _rewrite(ctx, node, methods)
    if isinstance(edits, str):
        ctx.report(
            node,
            warning=True,
            message="legacy autograd.Function %s fails since torch {removed}; not rewritten because %s: make "
            "forward/backward static methods taking ctx, and call %s.apply(...)" % (node.name, edits, node.name),
        )
        return
    ctx.report(
        node,
        message="legacy autograd.Function %s fails since torch {removed}: rewritten to static "
        "forward(ctx, ...)/backward(ctx, ...) and %s.apply(...)" % (node.name, node.name),
        edits=edits,
    )


def _rewrite(ctx: Context, cls: ast.ClassDef, methods: Dict[str, ast.FunctionDef]) -> Union[List[Edit], str]:
    """The edits of the class and of its uses (in this file; in the project's other files, only checked), or
    the reason it cannot be rewritten."""
    shape = _class_edits(ctx, cls, methods)
    if isinstance(shape, str):
        return shape
    edits, params, defaults = shape
    calls = _call_sites(ctx, cls.name, params, defaults, {id(n) for n in ast.walk(cls)})
    if isinstance(calls, str):
        return calls
    elsewhere = _project_verdict(ctx, cls.name)
    if isinstance(elsewhere, str):
        return elsewhere
    return edits + calls


def _class_edits(
    ctx: Context, cls: ast.ClassDef, methods: Dict[str, ast.FunctionDef]
) -> Union[Tuple[List[Edit], List[str], Dict[str, str]], str]:
    forward, backward = methods["forward"], methods.get("backward")
    if backward is None:
        return "it has no backward method"
    if _is_static(backward):
        return "backward is already static while forward is not"
    extra = sorted(set(methods) - {"forward", "backward", "__init__"})
    if extra:
        return "it has other methods (%s) that forward/backward may call on self" % ", ".join(extra)
    if any(not isinstance(s, (ast.FunctionDef, ast.Expr, ast.Pass)) for s in cls.body):
        return "its body holds class attributes"
    if cls.decorator_list:
        return "the class is decorated"
    init = methods.get("__init__")
    params: List[str] = []
    defaults: Dict[str, str] = {}
    stores: List[Tuple[str, str]] = []
    if init is not None:
        parsed = _parse_init(ctx, init)
        if parsed is None:
            return "__init__ does more than store its arguments on self"
        params, defaults, stores = parsed
    edits: List[Edit] = []
    nl = ctx.newline
    fargs = forward.args
    inputs = [a.arg for a in fargs.args[1:]]
    if not fargs.args or fargs.args[0].arg != "self":
        return "forward's first parameter is not self"
    if fargs.vararg or fargs.kwarg or fargs.kwonlyargs or (params and fargs.defaults):
        return "forward takes *args, **kwargs, keyword-only or default arguments"
    if set(params) & set(inputs) or "ctx" in inputs:
        return "forward's parameters clash with __init__'s or with ctx"
    for fn in (forward, backward):
        if not fn.args.args or fn.args.args[0].arg != "self" or ctx_name_used(fn):
            return "%s does not take self first, or already uses the name ctx" % fn.name
        first_arg = fn.args.args[0]
        start = ctx.start(first_arg)
        edits.append((start, start + len("self"), "ctx"))
        for name in _names_in(fn):
            if name.id == "self":
                s = ctx.start(name)
                edits.append((s, s + 4, "ctx"))
                parent = ctx.parent(name)
                if isinstance(parent, ast.Attribute) and parent.attr == "saved_variables":
                    end = ctx.end(parent)
                    edits.append((end - len("saved_variables"), end, "saved_tensors"))
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
            return "forward's body is on the line of its def"
        indent = ctx.line_indent(first.lineno)
        pos = ctx.lines.starts[first.lineno - 1]
        edits.append((pos, pos, "".join("%sctx.%s = %s%s" % (indent, attr, value, nl) for attr, value in stores)))
        returns = [r for r in ast.walk(backward) if isinstance(r, ast.Return)]
        if not returns:
            return "backward has no return statement to extend with None gradients"
        for ret in returns:
            edit = _extend_return(ctx, ret, len(inputs), len(params))
            if edit is None:
                return "a return of backward (line %d) cannot be extended with None gradients" % ret.lineno
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
    return edits, params, defaults


# --- project mode: classes imported from a sibling module ------------------------------------
def _class_in(ctx: Context, name: str) -> Optional[ast.ClassDef]:
    tree = ctx.tree
    for stmt in getattr(tree, "body", []):
        if isinstance(stmt, ast.ClassDef) and stmt.name == name:
            return stmt
    return None


def _verdict(project: Any, path: str, name: str, options: Any) -> Union[Tuple[List[str], Dict[str, str]], str, None]:
    """Whether the legacy Function ``name`` defined in the project file ``path`` is rewritten (its shape and
    its uses in every file allow it): ``(params, defaults)``, the reason it is not, or None (not one)."""
    key = ("TC104", path, name)
    if key in project.index.memo:
        return project.index.memo[key]
    project.index.memo[key] = "its uses refer to each other"  # cycles: no
    result: Union[Tuple[List[str], Dict[str, str]], str, None] = None
    facts = project.index.facts.get(path)
    if facts is not None:
        home = Context(facts.text, facts.tree, dataclasses.replace(options, project=project.index.view(path)))
        cls = _class_in(home, name)
        if cls is not None and any(home.qualname(b) == "torch.autograd.Function" for b in cls.bases):
            methods = {s.name: s for s in cls.body if isinstance(s, ast.FunctionDef)}
            if "forward" in methods and not _is_static(methods["forward"]):
                shape = _class_edits(home, cls, methods)
                result = shape if isinstance(shape, str) else (shape[1], shape[2])
                if not isinstance(result, str):
                    calls = _call_sites(home, name, result[0], result[1], {id(n) for n in ast.walk(cls)})
                    result = calls if isinstance(calls, str) else _uses_elsewhere(project, path, name, result, options)
    project.index.memo[key] = result
    return result


def _uses_elsewhere(
    project: Any, path: str, name: str, shape: Tuple[List[str], Dict[str, str]], options: Any
) -> Union[Tuple[List[str], Dict[str, str]], str]:
    index = project.index
    users = index.module_users(path)
    if users:
        return "%s imports its module whole (module.%s uses are not rewritten)" % (index.display(users[0]), name)
    for other, local in index.importers(path, name):
        facts = index.facts.get(other)
        if facts is None:
            return "%s imports it and could not be read" % index.display(other)
        there = Context(facts.text, facts.tree, options)
        calls = _call_sites(there, local, shape[0], shape[1], set())
        if isinstance(calls, str):
            return "in %s, %s" % (index.display(other), calls)
    return shape


def _project_verdict(ctx: Context, name: str) -> Optional[str]:
    """Why the uses of ``name`` in the project's other files block the rewrite, or None."""
    project = ctx.project
    if project is None:
        return None
    found = _verdict(project, project.path, name, ctx.options)
    return found if isinstance(found, str) else None


def _imported_uses(node: ast.ImportFrom, ctx: Context) -> None:
    """In a file importing a legacy Function from a sibling module that is rewritten: its calls too."""
    project = ctx.project
    if project is None:
        return
    for alias in node.names:
        local = alias.asname or alias.name
        home = project.index.imported_from(project.path, local)
        if home is None or home[0] == project.path:
            continue
        verdict = _verdict(project, home[0], home[1], ctx.options)
        if verdict is None or isinstance(verdict, str):
            continue
        edits = _call_sites(ctx, local, verdict[0], verdict[1], set())
        if isinstance(edits, str) or not edits:
            continue
        ctx.report(
            node,
            message="%s is a legacy autograd.Function (%s), rewritten to static forward/backward since it fails "
            "since torch {removed}: its calls become %s.apply(...)" % (local, project.display(home[0]), local),
            edits=edits,
        )


def ctx_name_used(fn: ast.FunctionDef) -> bool:
    return any(n.id == "ctx" for n in _names_in(fn)) or any(a.arg == "ctx" for a in fn.args.args)


def _literal(node: ast.AST) -> bool:
    """A value that means the same wherever it is evaluated (a literal, ``-1``)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return isinstance(node, ast.Constant)


def _ctor_values(ctx: Context, maker: ast.Call, params: List[str], defaults: Dict[str, str]) -> Union[List[str], str]:
    """The sources of the constructor's arguments in ``__init__`` order (defaults filled in), or why not."""
    if any(isinstance(a, ast.Starred) for a in maker.args) or any(k.arg is None for k in maker.keywords):
        return "it is constructed with *args/**kwargs"
    if len(maker.args) > len(params):
        return "it is constructed with more arguments than __init__ takes"
    values: Dict[str, str] = {}
    for name, arg in zip(params, maker.args):
        values[name] = ctx.source(arg)
    for kw in maker.keywords:
        if kw.arg not in params or kw.arg in values:
            return "it is constructed with an unknown keyword %s=" % kw.arg
        values[kw.arg] = ctx.source(kw.value)
    for name in params:
        if name not in values:
            if name not in defaults:
                return "it is constructed without its argument %s" % name
            values[name] = defaults[name]
    return [values[p] for p in params]


def _apply_call(ctx: Context, call: ast.Call, cls_text: str, extra: List[str]) -> Union[Edit, str]:
    if call.keywords or any(isinstance(a, ast.Starred) for a in call.args):
        return "it is called with keywords or *args at line %d (apply takes positional arguments)" % call.lineno
    args = [ctx.source(a) for a in call.args] + extra
    start, end = ctx.span(call)
    return start, end, "%s.apply(%s)" % (cls_text, ", ".join(args))


def _call_sites(
    ctx: Context, name: str, params: List[str], defaults: Dict[str, str], inside: Set[int]
) -> Union[List[Edit], str]:
    """Edits turning every use of the Function class ``name`` in ``ctx``'s file into ``name.apply(...)``:
    ``F(a)(x)``; ``f = F(a)`` then only calls ``f(x)`` in that scope (the assignment goes; the constructor's
    arguments must be literals, since they are then evaluated at each call); ``self.f = F()`` (no constructor
    arguments) -> ``self.f = F.apply``. Otherwise the reason it cannot be rewritten."""
    edits: List[Edit] = []
    for node in ctx.names_of(name):
        if id(node) in inside:
            continue
        if not isinstance(node.ctx, ast.Load):
            return "the name %s is rebound at line %d" % (name, node.lineno)
        maker = ctx.parent(node)
        if not (isinstance(maker, ast.Call) and maker.func is node):
            if isinstance(maker, ast.Call) and node in maker.args and _is_isinstance(maker):
                continue  # isinstance(x, F) still works
            return "%s is used other than by constructing it at line %d" % (name, node.lineno)
        values = _ctor_values(ctx, maker, params, defaults)
        if isinstance(values, str):
            return values + " (line %d)" % maker.lineno
        outer = ctx.parent(maker)
        if isinstance(outer, ast.Call) and outer.func is maker:  # F(a)(x)
            edit = _apply_call(ctx, outer, name, values)
            if isinstance(edit, str):
                return edit
            edits.append(edit)
            continue
        found = _instance_sites(ctx, name, maker, outer, values)
        if isinstance(found, str):
            return found
        edits.extend(found)
    return edits


def _is_isinstance(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Name) and call.func.id == "isinstance"


def _instance_sites(
    ctx: Context, name: str, maker: ast.Call, stmt: Optional[ast.AST], values: List[str]
) -> Union[List[Edit], str]:
    """``relu = F(); relu(x)`` -> ``F.apply(x)`` and ``self.fn = F()`` -> ``self.fn = F.apply``."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and stmt.value is maker):
        return "an instance of %s is used other than by calling it at line %d" % (name, maker.lineno)
    target = stmt.targets[0]
    if isinstance(target, ast.Attribute):
        if values:
            return "an instance of %s made with arguments is stored in an attribute at line %d" % (name, stmt.lineno)
        misuse = _attribute_misuse(ctx, target)
        if misuse is not None:
            return "the attribute %s holding an instance of %s is used other than by calling it at line %d" % (
                target.attr,
                name,
                misuse,
            )
        start, end = ctx.span(maker)
        return [(start, end, name + ".apply")]  # a bound classmethod: self.fn(x) keeps working
    if not isinstance(target, ast.Name):
        return "an instance of %s is unpacked at line %d" % (name, stmt.lineno)
    if not all(_literal(a) for a in maker.args + [k.value for k in maker.keywords]):
        return (
            "an instance of %s is stored with non-literal arguments at line %d (they would be evaluated at each call)"
            % (
                name,
                stmt.lineno,
            )
        )
    if single_assignment(ctx, target) is not maker:
        return "%s = %s(...) is rebound in its scope (line %d)" % (target.id, name, stmt.lineno)
    scope = scope_of(ctx, target)
    edits: List[Edit] = []
    for use in scope_index(ctx, scope).loads.get(target.id, ()):
        call = ctx.parent(use)
        if not (isinstance(call, ast.Call) and call.func is use) or _shadowed(ctx, use, scope):
            return "the instance %s of %s is used other than by calling it at line %d" % (target.id, name, use.lineno)
        edit = _apply_call(ctx, call, name, values)
        if isinstance(edit, str):
            return edit
        edits.append(edit)
    if not edits:
        return "the instance %s of %s is never called" % (target.id, name)
    edits.append(delete_statement(ctx, stmt))  # type: ignore[arg-type]
    return edits


def _attribute_misuse(ctx: Context, target: ast.Attribute) -> Optional[int]:
    """The line where the enclosing class uses ``self.<attr>`` other than by calling it or assigning it (its
    instance's state would be gone with ``F.apply``), or None."""
    cls = next((a for a in ctx.ancestors(target) if isinstance(a, ast.ClassDef)), None)
    if cls is None or not (isinstance(target.value, ast.Name) and target.value.id == "self"):
        return target.lineno
    for node in ast.walk(cls):
        if isinstance(node, ast.Attribute) and node.attr == target.attr and node is not target:
            parent = ctx.parent(node)
            if not (isinstance(parent, ast.Call) and parent.func is node):
                return node.lineno
    return None


def _shadowed(ctx: Context, use: ast.Name, scope: ast.AST) -> bool:
    """Whether a function between ``use`` and ``scope`` binds the name itself."""
    assert ctx.imports is not None
    for anc in ctx.ancestors(use):
        if anc is scope:
            return False
        if isinstance(anc, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and use.id in ctx.imports.local_names(
            anc
        ):
            return True
    return False
