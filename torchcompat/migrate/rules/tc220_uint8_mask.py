"""TC220: uint8 (``ByteTensor``) masks -> bool masks.

Since torch 1.2 comparisons give bool tensors and uint8 masks are deprecated; on 2.x ``masked_fill``
with a uint8 mask is an error. The fix converts the mask where it is used: ``x.masked_fill(m, v)`` ->
``x.masked_fill(m.bool(), v)`` (the same on every release with ``bool``: a bool mask is unchanged, a 0/1
uint8 mask becomes the same selection). Masks that are already bool (a comparison, ``.bool()``) are
left alone; an index ``x[m]`` is converted only where ``m`` is known to be uint8 (an integer index
tensor is legitimate). ``--portable``: ``tc.bool_mask(m)`` (uint8 on torch < 1.2, bool after). With ``--trace``, the dtype the run
saw decides: a mask seen uint8 (also ``x[m]``) is converted, one seen bool only is left without a guess."""

from __future__ import annotations

import ast
from typing import Optional

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import receiver_text
from torchcompat.migrate.rules._queries import expr_kind
from torchcompat.migrate.rules._trace import mask_dtype, proven
from torchcompat.shifts.tensor import T_UINT8_MASK

_METHODS = {"masked_fill": 0, "masked_fill_": 0, "masked_select": 0, "masked_scatter": 0, "masked_scatter_": 0}
_FUNCS = {"torch.masked_select": 1, "torch.masked_fill": 1, "torch.where": 0}


def _convert(ctx: Context, mask: ast.AST) -> str:
    if ctx.portable:
        return "%s(%s)" % (ctx.tc("bool_mask"), ctx.source(mask))
    return receiver_text(ctx, mask) + ".bool()"


@rule(
    "TC220",
    record=T_UINT8_MASK,
    name="uint8-mask",
    message="uint8 masks are deprecated since torch {deprecated} (masked_fill rejects them on 2.x): use a bool mask",
    docs="x.masked_fill(byte_mask, v) -> x.masked_fill(byte_mask.bool(), v); x[byte_mask] -> x[byte_mask.bool()] "
    "where byte_mask is known to be uint8 (--portable: tc.bool_mask(m))",
    safe=True,
    portable="adapter",
    nodes=(ast.Call, ast.Subscript),
    hints=("masked_*", "where", "byte", "Byte*", "uint8"),
)
def uint8_mask(node: ast.AST, ctx: Context) -> None:
    mask: Optional[ast.AST] = None
    known = False
    traced = mask_dtype(ctx, node)  # --trace: "uint8", "bool", "mixed" or None (not seen)
    if isinstance(node, ast.Subscript):
        index = node.slice
        if isinstance(index, ast.Index):  # Python 3.8
            index = index.value  # type: ignore[attr-defined]
        if traced == "uint8" and isinstance(index, (ast.Name, ast.Attribute, ast.Call, ast.Subscript)):
            mask, known = index, True
        elif not _may_have_uint8(ctx):
            return
        elif isinstance(index, (ast.Name, ast.Attribute, ast.Call)) and expr_kind(ctx, index) == "uint8":
            mask, known = index, True
    elif isinstance(node, ast.Call):
        func = node.func
        qual = ctx.qualname(func)
        position = None
        if qual in _FUNCS:
            position = _FUNCS[qual]
        elif qual is None and isinstance(func, ast.Attribute) and func.attr in _METHODS:
            position = _METHODS[func.attr]
        if position is None or len(node.args) <= position or isinstance(node.args[position], ast.Starred):
            return
        if qual == "torch.where" and len(node.args) != 3:
            return
        mask = node.args[position]
        if traced == "bool" or (traced == "uint8" and _is_converted(ctx, mask)):
            return  # the run passed a bool mask here: nothing to guess
        kind = "uint8" if traced == "uint8" else expr_kind(ctx, mask)
        if kind in ("bool", "cmp") or _is_converted(ctx, mask):
            return
        if kind != "uint8" and (qual == "torch.where" or isinstance(mask, (ast.Compare, ast.BoolOp, ast.UnaryOp))):
            return
        known = kind == "uint8"
    if mask is None:
        return
    start, end = ctx.span(mask)
    message = (
        None
        if known
        else (
            "a mask of unknown dtype: uint8 masks are rejected by masked_fill on torch 2.x; "
            ".bool() keeps a bool mask unchanged"
        )
    )
    finding = ctx.report(mask, message=message, edits=[(start, end, _convert(ctx, mask))], warning=not known)
    if traced == "uint8":
        finding.message += " (seen as uint8 in the trace)"
        proven(finding)


def _may_have_uint8(ctx: Context) -> bool:
    """Whether the file can hold a known uint8 tensor at all (expr_kind needs one of these words)."""
    found = ctx.__dict__.get("_tc220_uint8")
    if found is None:
        found = ctx.__dict__["_tc220_uint8"] = any(w in ctx.text for w in ("byte", "Byte", "uint8"))
    return found


def _is_converted(ctx: Context, mask: ast.AST) -> bool:
    if isinstance(mask, ast.Call):
        if isinstance(mask.func, ast.Attribute) and mask.func.attr == "bool":
            return True
        qual = ctx.qualname(mask.func)
        if qual is not None and qual.endswith("bool_mask"):
            return True
    return False
