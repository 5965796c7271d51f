"""TC160-TC163: third-wave autograd rules.

* TC160 ``opt.zero_grad()`` in a file that reads ``p.grad`` unguarded (``p.grad.data``, ``p.grad +=``,
  no ``is None`` check anywhere): since 2.0 the default is ``set_to_none=True`` and those reads fail.
  Fix: ``zero_grad(set_to_none=False)`` (1.7; ``--portable``: ``tc.zero_grad(opt, set_to_none=False)``).
* TC161 ``x.numpy()`` / ``x.cpu().numpy()`` where ``x`` provably requires grad (assigned once from a
  ``torch.*(..., requires_grad=True)`` factory): an error since 0.4. Fix: ``x.detach().numpy()``.
* TC162 ``type(x) == torch.cuda.FloatTensor`` (``is``, ``!=``, ``is not``): always False since 0.4 (the
  type of every tensor is ``torch.Tensor``). Fix: ``x.type() == 'torch.cuda.FloatTensor'``.
* TC163 ``for i in torch.arange(n)`` (``randperm``, ``range``): the loop variable is a 0-dim tensor since
  0.4, not an int. Warning only: iterate over ``.tolist()`` where ints are meant."""

from __future__ import annotations

import ast

from torchcompat.migrate.engine import Context, rule
from torchcompat.migrate.rules._helpers import keyword
from torchcompat.migrate.rules._helpers2 import recv_src, single_assignment

_LEGACY_TYPES = {
    "torch.%s%s" % (mod, name)
    for mod in ("", "cuda.")
    for name in (
        "FloatTensor",
        "DoubleTensor",
        "HalfTensor",
        "ByteTensor",
        "CharTensor",
        "ShortTensor",
        "IntTensor",
        "LongTensor",
        "BoolTensor",
        "BFloat16Tensor",
    )
}


def _unguarded_grad_reads(ctx: Context) -> bool:
    cache = getattr(ctx, "_tc160_cache", None)
    if cache is not None:
        return cache
    reads = False
    guarded = False
    for node in ast.walk(ctx.tree):
        if isinstance(node, ast.Compare) and any(isinstance(op, (ast.Is, ast.IsNot)) for op in node.ops):
            sides = [node.left] + list(node.comparators)
            if any(isinstance(s, ast.Attribute) and s.attr == "grad" for s in sides):
                guarded = True
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute) and node.value.attr == "grad":
            reads = True  # p.grad.data, p.grad.add_ ...
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Attribute) and node.target.attr == "grad":
            reads = True
    result = reads and not guarded
    ctx._tc160_cache = result  # type: ignore[attr-defined]
    return result


@rule(
    "TC160",
    shift="ag-zero-grad-none",
    name="zero-grad-set-to-none",
    message="zero_grad() sets .grad to None since torch 2.0, and this file reads p.grad without a None "
    "check: pass set_to_none=False",
    docs="opt.zero_grad() -> opt.zero_grad(set_to_none=False) where grads are read unguarded "
    "(--portable: tc.zero_grad(opt, set_to_none=False))",
    min_version="1.7",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("zero_grad",),
)
def zero_grad(call: ast.Call, ctx: Context) -> None:
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr != "zero_grad" or call.args or call.keywords:
        return
    if ctx.qualname(func) is not None or not _unguarded_grad_reads(ctx):
        return  # a module function, not a method; or grads are never read unguarded
    if ctx.portable:
        start, end = ctx.span(call)
        text = "%s(%s, set_to_none=False)" % (ctx.tc("zero_grad"), ctx.source(func.value))
        ctx.report(call, edits=[(start, end, text)])
    else:
        ctx.report(call, edits=[ctx.append_arguments(call, "set_to_none=False")])


def _requires_grad(ctx: Context, node: ast.AST) -> bool:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("cpu", "clone"):
        if not node.args and not node.keywords:
            return _requires_grad(ctx, node.func.value)
        return False
    if isinstance(node, ast.Name):
        value = single_assignment(ctx, node)
        if isinstance(value, ast.Call):
            qual = ctx.qualname(value.func) or ""
            flag = keyword(value, "requires_grad")
            return (
                qual.startswith("torch.")
                and flag is not None
                and isinstance(flag.value, ast.Constant)
                and (flag.value.value is True)
            )
    return False


@rule(
    "TC161",
    shift="ag-numpy-requires-grad",
    name="numpy-requires-grad",
    message="numpy() on a tensor that requires grad raises since torch 0.4: detach() first",
    docs="x.numpy() -> x.detach().numpy() where x requires grad",
    min_version="1.0",
    safe=True,
    nodes=(ast.Call,),
    hints=("numpy",),
)
def numpy_requires_grad(call: ast.Call, ctx: Context) -> None:
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr != "numpy" or call.args or call.keywords:
        return
    if ctx.qualname(func) is not None or not _requires_grad(ctx, func.value):
        return
    end = ctx.end(func.value)
    ctx.report(call, edits=[(end, end, ".detach()")])


@rule(
    "TC162",
    shift="ag-type-is-not-dtype",
    name="type-is-not-dtype",
    message="type(x) is torch.Tensor for every tensor since torch 0.4: compare x.type() with the type name",
    docs="type(x) == torch.cuda.FloatTensor -> x.type() == 'torch.cuda.FloatTensor'",
    min_version="1.0",
    safe=True,
    nodes=(ast.Compare,),
    hints=("type",),
)
def type_compare(node: ast.Compare, ctx: Context) -> None:
    if len(node.ops) != 1 or not isinstance(node.ops[0], (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)):
        return
    left, right = node.left, node.comparators[0]
    if ctx.qualname(left) in _LEGACY_TYPES:
        left, right = right, left
    qual = ctx.qualname(right)
    if qual not in _LEGACY_TYPES:
        return
    if not (
        isinstance(left, ast.Call)
        and isinstance(left.func, ast.Name)
        and left.func.id == "type"
        and ctx.qualname(left.func) is None
        and len(left.args) == 1
        and not left.keywords
        and not isinstance(left.args[0], ast.Starred)
    ):
        return
    op = "==" if isinstance(node.ops[0], (ast.Eq, ast.Is)) else "!="
    text = "%s.type() %s %r" % (recv_src(ctx, left.args[0]), op, qual)
    start, end = ctx.span(node)
    ctx.report(node, edits=[(start, end, text)])


@rule(
    "TC163",
    shift="ag-zero-dim-iteration",
    name="zero-dim-iteration",
    message="iterating a tensor gives 0-dim tensors since torch 0.4, not Python numbers: iterate over "
    ".tolist() where ints are meant",
    docs="for i in torch.arange(n): -> warning (for i in torch.arange(n).tolist() where ints are meant)",
    min_version="1.0",
    safe=False,
    fixable=False,
    nodes=(ast.For, ast.comprehension),
    hints=("arange", "randperm", "range"),
)
def zero_dim_iteration(node: ast.AST, ctx: Context) -> None:
    it = node.iter  # type: ignore[attr-defined]
    if isinstance(it, ast.Call) and ctx.qualname(it.func) in ("torch.arange", "torch.randperm", "torch.range"):
        ctx.report(it, warning=True)
