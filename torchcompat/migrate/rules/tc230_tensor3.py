"""TC230-TC234: third-wave tensor rules.

* TC230 ``torch.full(size, 1)`` (an int/bool literal fill, no ``dtype=``/``out=``): float before 1.7,
  int64/bool from 1.7. Warning: pass ``dtype=`` (no fix: the intended dtype is not in the source).
* TC231 the deprecated scalar-first overloads ``x.add_(-lr, g)``, ``x.sub_(a, g)``,
  ``x.addcmul_(v, t1, t2)``, ``x.addcdiv_(v, t1, t2)`` (positional only: ``alpha``/``value`` are
  keyword-only in the current signature, so these argument counts can only be the old overload) ->
  ``x.add_(g, alpha=-lr)``, ``x.addcmul_(t1, t2, value=v)`` (the keywords exist from 1.0).
* TC232 ``t.storage()`` (TypedStorage, deprecated in 2.0): ``t.storage().data_ptr()`` /
  ``.nbytes()`` -> ``t.untyped_storage().data_ptr()`` / ``.nbytes()`` (the same pointer and byte count);
  other uses are reported (sizes differ: bytes vs elements).
* TC233 ``x.T`` where ``x`` provably has ndim != 2 (a ``torch.zeros/ones/rand/randn/empty`` call with
  literal sizes, or a name assigned once from one): deprecated since 1.11. Fix: the exact reversal,
  ``x.permute(k-1, ..., 0)``.
* TC234 ``1 - mask`` where ``mask`` is a comparison or a bool tensor: a RuntimeError on bool since 1.2.
  Fix: ``(mask == 0)`` (uint8 before 1.2 and bool after, with the same values on every release)."""

from __future__ import annotations

import ast
import re
from typing import Optional

from torchcompat.migrate.engine import Context, rule
from torchcompat.migrate.rules._helpers import keyword
from torchcompat.migrate.rules._helpers2 import arg_src, expr_kind, recv_src, single_assignment


@rule(
    "TC230",
    shift="t-full-int-dtype",
    name="full-int-dtype",
    message="torch.full with an int/bool fill value gives a float tensor before torch 1.7 and an "
    "int64/bool one from 1.7: pass dtype= explicitly",
    docs="torch.full(size, 1) -> warning (write torch.full(size, 1.) or pass dtype=)",
    min_version="1.0",
    safe=False,
    fixable=False,
    nodes=(ast.Call,),
    hints=("full",),
)
def full_int(call: ast.Call, ctx: Context) -> None:
    if ctx.qualname(call.func) != "torch.full" or keyword(call, "dtype") or keyword(call, "out"):
        return
    if any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
        return
    fill = call.args[1] if len(call.args) >= 2 else getattr(keyword(call, "fill_value"), "value", None)
    if isinstance(fill, ast.UnaryOp) and isinstance(fill.op, ast.USub):
        fill = fill.operand
    if isinstance(fill, ast.Constant) and type(fill.value) in (int, bool):
        ctx.report(call, warning=True)


_SCALAR_FIRST = {"add_": 2, "sub_": 2, "addcmul_": 3, "addcdiv_": 3, "addcmul": 3, "addcdiv": 3}


@rule(
    "TC231",
    shift="t-scalar-first-overloads",
    name="scalar-first-overloads",
    message="the scalar-first overload is deprecated since torch 1.5: pass the scalar as alpha=/value=",
    docs="x.add_(-lr, g) -> x.add_(g, alpha=-lr); x.addcmul_(v, t1, t2) -> x.addcmul_(t1, t2, value=v)",
    min_version="1.0",
    safe=True,
    nodes=(ast.Call,),
    hints=("add_", "sub_", "addcmul*", "addcdiv*"),
)
def scalar_first(call: ast.Call, ctx: Context) -> None:
    func = call.func
    if not isinstance(func, ast.Attribute) or _SCALAR_FIRST.get(func.attr) != len(call.args) or call.keywords:
        return
    if ctx.qualname(func) is not None or any(isinstance(a, ast.Starred) for a in call.args):
        return  # torch.addcmul(...) (a function, not a method) or *args
    if isinstance(func.value, ast.Name) and func.value.id in ("self", "cls"):
        return  # a user class's own method
    first = call.args[0]
    if isinstance(first, (ast.List, ast.Tuple, ast.Dict, ast.Set, ast.JoinedStr)) or (
        isinstance(first, ast.Constant) and not isinstance(first.value, (int, float))
    ):
        return
    name = "alpha" if func.attr in ("add_", "sub_") else "value"
    rest = ", ".join(arg_src(ctx, a) for a in call.args[1:])
    start = ctx.start(call.args[0])
    end = ctx.end(call.args[-1])
    ctx.report(call, edits=[(start, end, "%s, %s=%s" % (rest, name, arg_src(ctx, first)))])


@rule(
    "TC232",
    shift="t-typed-storage",
    name="typed-storage",
    message="Tensor.storage() returns a TypedStorage, deprecated since torch 2.0: use untyped_storage() "
    "(sizes in bytes, not elements)",
    docs="t.storage().data_ptr() -> t.untyped_storage().data_ptr() (and nbytes()); other storage() uses are reported",
    min_version="2.0",
    safe=True,
    portable="",
    nodes=(ast.Call,),
    hints=("storage",),
)
def typed_storage(call: ast.Call, ctx: Context) -> None:
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr != "storage" or call.args or call.keywords:
        return
    if ctx.qualname(func) is not None or (isinstance(func.value, ast.Name) and func.value.id == "self"):
        return
    parent = ctx.parent(call)
    grand = ctx.parent(parent) if parent is not None else None
    if (
        isinstance(parent, ast.Attribute)
        and parent.attr in ("data_ptr", "nbytes")
        and isinstance(grand, ast.Call)
        and grand.func is parent
        and not grand.args
    ):
        end = ctx.end(func)
        ctx.report(call, edits=[(end - len("storage"), end, "untyped_storage")])
    else:
        ctx.report(call, warning=True)


_SHAPED = ("torch.zeros", "torch.ones", "torch.rand", "torch.randn", "torch.empty")


def _ndim(ctx: Context, node: ast.AST, depth: int = 0) -> Optional[int]:
    if depth > 3:
        return None
    if isinstance(node, ast.Name):
        value = single_assignment(ctx, node)
        return _ndim(ctx, value, depth + 1) if value is not None else None
    if not isinstance(node, ast.Call) or ctx.qualname(node.func) not in _SHAPED:
        return None
    if any(k.arg in (None, "size", "out") for k in node.keywords):
        return None
    args = node.args
    if len(args) == 1 and isinstance(args[0], (ast.Tuple, ast.List)):
        args = args[0].elts
    if not args or not all(isinstance(a, ast.Constant) and type(a.value) is int for a in args):
        return None
    return len(args)


@rule(
    "TC233",
    shift="t-T-nd",
    name="T-nd",
    message="x.T on a tensor with ndim != 2 is deprecated since torch 1.11: write the permutation "
    "(or x.mT for a batch of matrices)",
    docs="x.T (ndim k != 2) -> x.permute(k-1, ..., 0)",
    min_version="1.0",
    safe=True,
    nodes=(ast.Attribute,),
    hints=(".T", ". T"),  # the attribute access (a bare "T" is in nearly every file)
)
def T_nd(node: ast.Attribute, ctx: Context) -> None:
    if node.attr != "T" or not isinstance(node.ctx, ast.Load) or ctx.qualname(node) is not None:
        return
    k = _ndim(ctx, node.value)
    if k is None or k == 2:
        return
    start, end = ctx.span(node)
    dims = ", ".join(str(i) for i in range(k - 1, -1, -1))
    ctx.report(node, edits=[(start, end, "%s.permute(%s)" % (recv_src(ctx, node.value), dims))])


_CMP_METHODS = {"eq", "ne", "lt", "gt", "le", "ge", "isnan", "isinf", "logical_not", "bool"}


def _tensorish(ctx: Context, node: ast.AST) -> bool:
    """Whether the expression provably involves a tensor: a ``torch.*`` call or a tensor comparison method."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            qual = ctx.qualname(sub.func)
            if qual is not None and qual.startswith("torch."):
                return True
            if qual is None and isinstance(sub.func, ast.Attribute) and sub.func.attr in _CMP_METHODS:
                return True
    return False


@rule(
    "TC234",
    shift="t-bool-compare",
    name="bool-compare",
    message="comparisons give bool tensors since torch 1.2 and `1 - mask` raises on bool: use (mask == 0)",
    docs="1 - (a > b) -> ((a > b) == 0)",
    min_version="1.0",
    safe=True,
    nodes=(ast.BinOp,),
    hints=(re.compile(r"(?<![\w.])1\s*(?:\\\s*)?-"),),  # the literal 1, then `-` (black: `1\n - x`)
)
def bool_compare(node: ast.BinOp, ctx: Context) -> None:
    if not isinstance(node.op, ast.Sub) or not isinstance(node.left, ast.Constant) or node.left.value != 1:
        return
    if type(node.left.value) is not int:
        return
    if expr_kind(ctx, node.right) not in ("cmp", "bool"):
        return
    target = node.right
    if isinstance(target, ast.Name):
        target = single_assignment(ctx, target)
    if target is None or not _tensorish(ctx, target):
        return  # `1 - (a > b)` on Python numbers is fine
    right = ctx.source(node.right)
    if not isinstance(node.right, (ast.Name, ast.Call, ast.Attribute, ast.Subscript)):
        right = "(" + right + ")"
    start, end = ctx.span(node)
    ctx.report(node, edits=[(start, end, "(%s == 0)" % right)])
