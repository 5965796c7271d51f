"""TC367: 0.3's ``module._backend.Embedding.apply(...)`` (the THNN function backend, gone in 1.3) ->
``F.embedding(...)``, keeping 0.3's ``padding_idx`` meaning (a negative one was no padding row; ``F.embedding``
reads -1 as the last row); ``_backend.Dropout``/``Dropout2d``/``Dropout3d`` -> ``F.dropout``/``dropout2d``/
``dropout3d`` (0.3's ``train`` defaulted to False). Any other ``_backend.<Function>`` is reported only."""

from __future__ import annotations

import ast
from typing import List, Optional

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._edits import Edit, arg_src
from torchcompat.migrate.rules._queries import UNKNOWN, const, is_simple
from torchcompat.shifts.nn.records import NN_MODULE_BACKEND

_DROPOUTS = {"Dropout": "dropout", "Dropout2d": "dropout2d", "Dropout3d": "dropout3d"}
_DROPOUT_DEFAULTS = ("0.5", "False")  # 0.3's apply(input, p=0.5, train=False, inplace=False)


def _padding(ctx: Context, node: ast.AST) -> Optional[str]:
    """``F.embedding`` text for 0.3's ``padding_idx`` argument (None: no exact rewrite). 0.3 compared it with
    the index values, so a negative one matched no row; ``F.embedding`` counts a negative one from the end."""
    value = const(node)
    if value is None or (type(value) is int and value >= 0):
        return ctx.source(node)
    if type(value) is int:
        return "None"
    if value is UNKNOWN and is_simple(node):
        text = ctx.source(node)
        return "(None if %s is None or %s < 0 else %s)" % (text, text, text)
    return None


def _embedding(ctx: Context, call: ast.Call) -> Optional[List[Edit]]:
    if len(call.args) < 3:
        return [ctx.span(call.func) + (ctx.torch("nn.functional.embedding"),)]
    padding = _padding(ctx, call.args[2])
    if padding is None:
        return None
    return [
        ctx.span(call.func) + (ctx.torch("nn.functional.embedding"),),
        ctx.span(call.args[2]) + (padding,),
    ]


def _dropout(ctx: Context, call: ast.Call, name: str) -> List[Edit]:
    new = ctx.torch("nn.functional." + name)
    if len(call.args) >= 3:
        return [ctx.span(call.func) + (new,)]
    args = [arg_src(ctx, a) for a in call.args] + list(_DROPOUT_DEFAULTS[len(call.args) - 1 :])
    return [ctx.span(call) + ("%s(%s)" % (new, ", ".join(args)),)]  # F.dropout's training defaults to True


@rule(
    "TC367",
    record=NN_MODULE_BACKEND,
    emits=(),
    name="module-backend",
    message="module._backend (0.3's THNN function backend) was removed in torch {removed}: use torch.nn.functional",
    docs="m._backend.Embedding.apply(x, w, -1, max_norm, norm_type, scale, sparse) -> "
    "F.embedding(x, w, None, max_norm, norm_type, scale, sparse) (a negative padding_idx was no padding row); "
    "m._backend.Dropout.apply(x, p, train, inplace) -> F.dropout(x, p, train, inplace), Dropout2d/3d -> "
    "F.dropout2d/3d; other _backend functions are reported only",
    example=(
        "emb._backend.Embedding.apply(words, w, padding_idx, emb.max_norm, 2, False, False)",
        "F.embedding(words, w, (None if padding_idx is None or padding_idx < 0 else padding_idx), emb.max_norm, "
        "2, False, False)",
    ),
    safe=True,
    nodes=(ast.Attribute,),
    hints=("_backend",),
)
def module_backend(node: ast.Attribute, ctx: Context) -> None:
    if node.attr != "_backend" or not isinstance(node.ctx, ast.Load) or ctx.qualname(node) is not None:
        return
    function = ctx.parent(node)
    if not isinstance(function, ast.Attribute) or function.value is not node or not function.attr[:1].isupper():
        return  # a `_backend` of the project's own (THNN function names are CamelCase)
    method = ctx.parent(function)
    call = ctx.parent(method) if isinstance(method, ast.Attribute) and method.attr == "apply" else None
    fixable = (
        isinstance(call, ast.Call)
        and call.func is method
        and not call.keywords  # 0.3's Function.apply took positional arguments only
        and call.args
        and not any(isinstance(a, ast.Starred) for a in call.args)
        and is_simple(node.value)  # the module expression is dropped: it must have no side effects
    )
    name = function.attr
    if name == "Embedding":
        edits = _embedding(ctx, call) if fixable else None  # type: ignore[arg-type]
        message = (
            "module._backend.Embedding was removed in torch {removed}: use F.embedding (a negative padding_idx "
            "meant no padding row; F.embedding reads -1 as the last row)"
        )
    elif name in _DROPOUTS:
        edits = _dropout(ctx, call, _DROPOUTS[name]) if fixable else None  # type: ignore[arg-type]
        message = "module._backend.%s was removed in torch {removed}: use F.%s (0.3's train defaulted to False)" % (
            name,
            _DROPOUTS[name],
        )
        if name != "Dropout":  # 0.3's FeatureDropout dropped whole (N, C) slices whatever the rank
            message += "; exact for %s-D input" % ("4" if name == "Dropout2d" else "5")
    else:
        edits = None
        message = (
            "module._backend.%s (0.3's THNN function) was removed in torch {removed}: call torch.nn.functional" % (name)
        )
    ctx.report(call if isinstance(call, ast.Call) else function, message=message, edits=edits)
