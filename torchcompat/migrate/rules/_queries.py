"""AST queries shared by the rules (no edits): arguments and literals, names in a scope, dtype inference,
and :func:`call_rule` (a rule that sees only calls of given qualified names); not a rule."""

from __future__ import annotations

import ast
import re
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from torchcompat.migrate.context import Context


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


def const(node: Optional[ast.AST], default: Any = None) -> Any:
    """A literal's value (``True``, ``2``, ``'fro'``, ``-1``); ``default`` when the node is absent;
    the sentinel :data:`UNKNOWN` when it is not a literal."""
    if node is None:
        return default
    if isinstance(node, ast.Constant):
        return node.value
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and isinstance(node.operand.value, (int, float))
    ):
        return -node.operand.value
    return UNKNOWN


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


def bind(call: ast.Call, params: Sequence[str]) -> Optional[Dict[str, ast.AST]]:
    """Map a call's arguments to the parameter names of the *old* signature ``params``.

    None when the call uses ``*args``/``**kwargs``, passes too many positionals or an unknown keyword:
    the rule then reports without a fix."""
    out: Dict[str, ast.AST] = {}
    if len(call.args) > len(params):
        return None
    for name, arg in zip(params, call.args):
        if isinstance(arg, ast.Starred):
            return None
        out[name] = arg
    for kw in call.keywords:
        if kw.arg is None or kw.arg not in params or kw.arg in out:
            return None
        out[kw.arg] = kw.value
    return out


def is_simple(node: ast.AST) -> bool:
    """A name or attribute chain: safe to write twice (no side effects, cheap)."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


_SCOPE_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.Module)


def scope_of(ctx: Context, node: ast.AST) -> ast.AST:
    table = ctx.parents
    anc = table.get(id(node))
    while anc is not None:
        if isinstance(anc, _SCOPE_TYPES):
            return anc
        anc = table.get(id(anc))
    return ctx.tree  # type: ignore[return-value]


class _ScopeIndex:
    """Names of one scope (nested scopes included: conservative), built in one walk and cached."""

    __slots__ = ("stores", "loads", "declared")

    def __init__(self, scope: ast.AST) -> None:
        self.stores: Dict[str, List[ast.Name]] = {}  # Store/Del occurrences
        self.loads: Dict[str, List[ast.Name]] = {}  # Load occurrences
        self.declared: set = set()  # global / nonlocal names
        for sub in ast.walk(scope):
            kind = type(sub)
            if kind is ast.Name:
                table = self.loads if isinstance(sub.ctx, ast.Load) else self.stores
                table.setdefault(sub.id, []).append(sub)
            elif kind is ast.Global or kind is ast.Nonlocal:
                self.declared.update(sub.names)  # type: ignore[attr-defined]


def scope_index(ctx: Context, scope: ast.AST) -> _ScopeIndex:
    """The cached :class:`_ScopeIndex` of ``scope`` (one walk per scope per file, not per call)."""
    cache = ctx.__dict__.get("_h2_scopes")
    if cache is None:
        cache = ctx.__dict__["_h2_scopes"] = {}
    found = cache.get(id(scope))
    if found is None:
        found = cache[id(scope)] = (scope, _ScopeIndex(scope))  # keep scope alive: ids stay unique
    return found[1]


def name_loaded(ctx: Context, name: str, scope: ast.AST) -> bool:
    """Whether ``name`` is read anywhere in ``scope`` (nested scopes included: conservative)."""
    index = scope_index(ctx, scope)
    if name in index.loads or name in index.declared:
        return True
    return any(isinstance(sub.ctx, ast.Del) for sub in index.stores.get(name, ()))


def unused_target(ctx: Context, target: ast.AST, scope: ast.AST) -> bool:
    return isinstance(target, ast.Name) and (target.id == "_" or not name_loaded(ctx, target.id, scope))


def call_rule(qualnames: Sequence[str], imports: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Wrap ``func(call, ctx, qualname)`` so it only sees calls of one of ``qualnames``. ``imports=True`` (a
    deprecated or removed name): ``from m import name`` of one of them is reported too, at the imported name
    (declare ``ast.ImportFrom`` in the rule's ``nodes``), as each use is."""
    wanted = frozenset(qualnames)

    def wrap(func: Callable[..., Any]) -> Callable[..., Any]:
        def visit(node: ast.AST, ctx: Context) -> None:
            if isinstance(node, ast.Call):
                qual = ctx.qualname(node.func)
                if qual in wanted:
                    func(node, ctx, qual)
            elif imports and isinstance(node, ast.ImportFrom):
                report_imports(ctx, node, wanted)

        visit.__name__ = func.__name__
        visit.__doc__ = func.__doc__
        visit.qualnames = wanted  # type: ignore[attr-defined]  (tests check the rule's hints against them)
        return visit

    return wrap


def report_imports(ctx: Context, node: ast.ImportFrom, qualnames: Any, message: Optional[str] = None) -> int:
    """Report ``from m import name`` for each imported name whose qualified name is in ``qualnames`` (at the
    name itself where Python gives its position, so a multi-line import is reported on the right line)."""
    if node.level or not node.module:
        return 0
    found = 0
    spans = None
    for i, alias in enumerate(node.names):
        if node.module + "." + alias.name in qualnames:
            spans = import_alias_spans(ctx, node) if spans is None else spans
            ctx.report(node, message=message, offset=spans[i][0] if i in spans else None)
            found += 1
    return found


def import_alias_spans(ctx: Context, node: ast.ImportFrom) -> Dict[int, Tuple[int, int]]:
    """Span of each ``name`` (not its ``as`` part) in a ``from m import a, b as c`` statement: from the AST
    where Python gives an alias its position (3.10+), else found in the statement's text (3.8, 3.9)."""
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
        if alias.asname:  # step over `as name`, so that a later name is not found there
            after = re.compile(r"\s*as\s+%s\b" % re.escape(alias.asname)).match(text, pos, stmt_end)
            pos = after.end() if after else pos
    return spans


# --- dtype inference (for masks and integer division) -----------------------------------------
_INT_CASTS = {"long", "int", "short", "char"}


_INT_FACTORIES = {
    "torch.LongTensor",
    "torch.IntTensor",
    "torch.ShortTensor",
    "torch.CharTensor",
    "torch.cuda.LongTensor",
    "torch.cuda.IntTensor",
    "torch.randint",
    "torch.randperm",
    "torch.argmax",
    "torch.argmin",
    "torch.argsort",
    "torch.nonzero",
    "torch.bucketize",
}


_UINT8_FACTORIES = {"torch.ByteTensor", "torch.cuda.ByteTensor"}


_INT_DTYPES = {
    "torch.long",
    "torch.int64",
    "torch.int",
    "torch.int32",
    "torch.int16",
    "torch.short",
    "torch.int8",
    "torch.uint8",
}


def _dtype_kw(ctx: Context, call: ast.Call) -> Optional[str]:
    for kw in call.keywords:
        if kw.arg == "dtype":
            return ctx.qualname(kw.value) or "?"
    return None


def expr_kind(ctx: Context, node: ast.AST, depth: int = 0) -> Optional[str]:
    """``"int"`` (integer tensor), ``"uint8"`` (a byte tensor), ``"bool"`` or None (unknown), from the
    expression alone, or from the single assignment of a name in the same scope."""
    if depth > 4:
        return None
    if isinstance(node, ast.Call):
        func = node.func
        qual = ctx.qualname(func)
        if qual in _UINT8_FACTORIES:
            return "uint8"
        if qual in _INT_FACTORIES:
            return "int"
        if qual == "torch.arange" and _dtype_kw(ctx, node) is None:
            return None
        dtype = _dtype_kw(ctx, node)
        if dtype is not None and qual and qual.startswith("torch."):
            return "uint8" if dtype == "torch.uint8" else ("int" if dtype in _INT_DTYPES else None)
        if isinstance(func, ast.Attribute):
            if func.attr == "byte" and not node.args:
                return "uint8"
            if func.attr == "bool" and not node.args:
                return "bool"
            if func.attr in _INT_CASTS and not node.args:
                return "int"
            if func.attr in (
                "eq",
                "ne",
                "lt",
                "gt",
                "le",
                "ge",
                "isnan",
                "isinf",
                "logical_not",
                "logical_and",
                "logical_or",
            ):
                return "cmp"
            if (
                func.attr
                in (
                    "fill_",
                    "zero_",
                    "clone",
                    "contiguous",
                    "expand_as",
                    "expand",
                    "view",
                    "reshape",
                    "unsqueeze",
                    "squeeze",
                    "t",
                    "transpose",
                    "permute",
                    "cpu",
                    "cuda",
                    "detach",
                    "repeat",
                    "flatten",
                    "view_as",
                    "narrow",
                    "index_select",
                )
                and qual is None
            ):
                return expr_kind(ctx, func.value, depth + 1)
        return None
    if isinstance(node, ast.Compare):
        return "cmp"
    if isinstance(node, ast.Subscript):
        return expr_kind(ctx, node.value, depth + 1) if _is_slice_index(node) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult)):
        left, right = expr_kind(ctx, node.left, depth + 1), expr_kind(ctx, node.right, depth + 1)
        if isinstance(node.op, ast.Sub) and isinstance(node.left, ast.Constant) and right == "uint8":
            return "uint8"
        if left == "int" and (right == "int" or _is_int_literal(node.right)):
            return "int"
        if right == "int" and _is_int_literal(node.left):
            return "int"
        return None
    if isinstance(node, ast.Name):
        value = single_assignment(ctx, node)
        return expr_kind(ctx, value, depth + 1) if value is not None else None
    return None


def _is_int_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int


def _is_slice_index(node: ast.Subscript) -> bool:
    index = node.slice
    if isinstance(index, ast.Index):  # Python 3.8
        index = index.value  # type: ignore[attr-defined]
    items = index.elts if isinstance(index, ast.Tuple) else [index]
    return all(isinstance(i, ast.Slice) for i in items)


def single_assignment(ctx: Context, name: ast.Name) -> Optional[ast.AST]:
    """The value of the one plain ``name = value`` in the name's scope, when the name is bound
    nowhere else there (no other assignment, augmented assignment, loop target or parameter)."""
    scope = scope_of(ctx, name)
    found: Optional[ast.AST] = None
    count = 0
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        args = scope.args
        every = list(args.args) + list(args.kwonlyargs) + list(getattr(args, "posonlyargs", []))
        every += [a for a in (args.vararg, args.kwarg) if a is not None]
        if any(a.arg == name.id for a in every):
            return None
    index = scope_index(ctx, scope)
    if name.id in index.declared:
        return None
    for sub in index.stores.get(name.id, ()):
        count += 1
        parent = ctx.parent(sub)
        if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and parent.targets[0] is sub:
            found = parent.value
        else:
            return None
    return found if count == 1 else None


# --- 0-dim values (for x[0] -> x.item()) ---------------------------------------------------------
#: torch.nn.functional losses whose default reduction gives a 0-dim tensor since 0.4
_F_LOSSES = {"cross_entropy", "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div", "nll_loss"}


def _unreduced(ctx: Context, call: ast.Call) -> bool:
    """Whether a loss call or constructor asks for an unreduced (per-element) result."""
    for kw in call.keywords:
        if kw.arg is None:
            return True
        if kw.arg == "reduce" and not is_const(kw.value, True):
            return True
        if kw.arg == "reduction" and const(kw.value) not in ("mean", "sum", "elementwise_mean"):
            return True
    return False


def _is_loss_module(ctx: Context, node: ast.AST) -> bool:
    """A name bound (in its scope, or at module level) only to ``nn.XxxLoss(...)`` with a reduction."""
    if not isinstance(node, ast.Name):
        return False
    value = single_assignment(ctx, node)
    if value is None and ctx.imports is not None and scope_of(ctx, node) is not ctx.tree:
        functions = [
            s for s in ctx.ancestors(node) if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        ]
        if not any(node.id in ctx.imports.local_names(s) for s in functions):
            value = _module_assignment(ctx, node.id)
    if not isinstance(value, ast.Call) or _unreduced(ctx, value):
        return False
    qual = ctx.qualname(value.func) or ""
    return qual.startswith("torch.nn.") and qual.endswith("Loss")


def _module_assignment(ctx: Context, name: str) -> Optional[ast.AST]:
    found = [n for n in ctx.names_of(name) if not isinstance(n.ctx, ast.Load)]
    if len(found) != 1:
        return None
    parent = ctx.parent(found[0])
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and ctx.parent(parent) is ctx.tree:
        return parent.value
    return None


def zero_dim(ctx: Context, node: ast.AST, depth: int = 0) -> bool:
    """Whether ``node`` is a 0-dim tensor since torch 0.4 by its data flow: a reduction (``.sum()``,
    ``.mean()`` without a dim), a loss (``criterion(out, y)`` with ``criterion = nn.XxxLoss()``,
    ``F.nll_loss(...)``, ``F.*_loss``) with its default reduction, or a name bound once to one of those."""
    if depth > 3:
        return False
    if isinstance(node, ast.Name):
        value = single_assignment(ctx, node)
        return value is not None and zero_dim(ctx, value, depth + 1)
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in ("sum", "mean") and not node.args and not node.keywords:
        return ctx.qualname(func) is None
    qual = ctx.qualname(func) or ""
    if qual.startswith("torch.nn.functional."):
        tail = qual.rsplit(".", 1)[1]
        return (tail.endswith("_loss") or tail in _F_LOSSES) and not _unreduced(ctx, node)
    return _is_loss_module(ctx, func) and not node.keywords


def _scalar_factor(ctx: Context, node: ast.AST) -> bool:
    """A Python number: a numeric literal or ``len(...)``."""
    if isinstance(node, ast.Constant):
        return type(node.value) in (int, float)
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "len"
        and ctx.qualname(node.func) is None
    )


def _data_of_zero_dim(ctx: Context, node: ast.AST) -> bool:
    """``loss.data`` (or ``k * loss.data`` with a Python number ``k``) of a 0-dim ``loss``."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        if _scalar_factor(ctx, node.left):
            node = node.right
        elif _scalar_factor(ctx, node.right):
            node = node.left
        else:
            return False
    return isinstance(node, ast.Attribute) and node.attr == "data" and zero_dim(ctx, node.value)


def zero_dim_accumulator(ctx: Context, name: ast.Name) -> bool:
    """Whether ``name`` is, in its function, an accumulator of 0-dim ``.data``: every binding is a number
    literal (``total_loss = 0``) or ``total_loss += loss.data`` / ``+= k * loss.data`` of a 0-dim ``loss``, and
    at least one is the latter (``total_loss[0]`` was the Python number in 0.3; since 0.4 it raises)."""
    scope = scope_of(ctx, name)
    if not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    if any(a.arg == name.id for a in scope.args.args + scope.args.kwonlyargs):
        return False
    index = scope_index(ctx, scope)
    if name.id in index.declared:
        return False
    accumulated = False
    for store in index.stores.get(name.id, ()):
        parent = ctx.parent(store)
        if isinstance(parent, ast.AugAssign) and isinstance(parent.op, ast.Add) and parent.target is store:
            if not _data_of_zero_dim(ctx, parent.value):
                return False
            accumulated = True
        elif (
            isinstance(parent, ast.Assign)
            and parent.targets == [store]
            and isinstance(parent.value, ast.Constant)
            and type(parent.value.value) in (int, float)
        ):
            continue
        else:
            return False
    return accumulated
