"""TC960: ``torchvision.models.resnet50(pretrained=True)`` (deprecated in torchvision 0.13) ->
``weights="IMAGENET1K_V1"``: the weights ``pretrained=True`` loaded, per builder (``"DEFAULT"`` may be newer,
different weights: IMAGENET1K_V2 for resnet50); detection and segmentation builders map to their COCO weights
and ``pretrained_backbone=`` to ``weights_backbone=``; ``pretrained=False`` -> ``weights=None``. Keyword or
positional flag, builders reached through submodules (``models.resnet.resnet101``) too. A flag that is not a
literal, or a quantized builder whose ``quantize=`` is not a literal, is reported without a fix. The
per-builder table is measured on torchvision 0.29.1 (``torchcompat.shifts.vision.PRETRAINED_WEIGHTS``).
``--portable`` writes ``**tc.vision.weights_for("resnet50", pretrained=True)``: the keyword arguments for the
installed torchvision (``pretrained=`` before 0.13), for any flag value, literal or not."""

from __future__ import annotations

import ast
from typing import List, Optional, Tuple

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import keyword
from torchcompat.shifts.vision import TV_PRETRAINED, pretrained_weights

_FLAGS = (("pretrained", "weights", 0), ("pretrained_backbone", "weights_backbone", 1))


def _value(names: Tuple[str, str], index: int, flag: bool, qual: str, call: ast.Call) -> Optional[str]:
    """The ``weights=`` text for a literal flag, or None when it cannot be decided from the source."""
    if not flag:
        return "None"
    name = names[index]
    if ".quantization." in qual and index == 0:
        quantize = keyword(call, "quantize")
        if quantize is not None:
            if not isinstance(quantize.value, ast.Constant) or not isinstance(quantize.value.value, bool):
                return None
            if quantize.value.value:
                return None  # quantized weights differ per builder (FBGEMM / QNNPACK): reported, not guessed
    return '"%s"' % name if name else None


@rule(
    "TC960",
    record=TV_PRETRAINED,
    name="tv-pretrained",
    message="pretrained= is deprecated since torchvision {deprecated}: pass weights= (the weights it loaded)",
    docs='torchvision.models.resnet50(pretrained=True) -> torchvision.models.resnet50(weights="IMAGENET1K_V1")',
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("pretrained*", "models"),
)
def tv_pretrained(call: ast.Call, ctx: Context) -> None:
    qual = ctx.qualname(call.func) or ""
    names = pretrained_weights(qual) if qual.startswith("torchvision.models") else None
    if names is None:
        return
    found: List[Tuple[ast.AST, int]] = []
    for old, new, index in _FLAGS:
        kw = keyword(call, old)
        if kw is not None:
            if keyword(call, new) is not None:
                return
            found.append((kw, index))
    if call.args and not found and keyword(call, "weights") is None:
        first = call.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, bool):
            found.append((first, 0))  # resnet50(True): the first positional parameter was `pretrained`
    if not found:
        return
    if ctx.portable:
        _portable(call, ctx, qual, found)
        return
    edits = []
    for node, index in found:
        value = node.value if isinstance(node, ast.keyword) else node
        if not isinstance(value, ast.Constant) or not isinstance(value.value, bool):
            ctx.report(call)
            return
        text = _value(names, index, value.value, qual, call)
        if text is None:
            ctx.report(call)
            return
        start, end = ctx.span(node)
        edits.append((start, end, "%s=%s" % (_FLAGS[index][1], text)))
    ctx.report(call, edits=edits)


def _portable(call: ast.Call, ctx: Context, qual: str, found: List[Tuple[ast.AST, int]]) -> None:
    """``resnet50(pretrained=x)`` -> ``resnet50(**tc.vision.weights_for("resnet50", pretrained=x))``: the flags
    leave the call and come back as the adapter's keyword arguments (last, where ``**`` may stand). The argument
    list is rewritten whole, so only a call on one line (no comment inside to lose)."""
    if ".quantization." in qual or call.lineno != call.end_lineno:
        ctx.report(call)  # quantized weights differ per builder; a multi-line call: by hand
        return
    flags = {id(node): index for node, index in found}
    kept = []
    for node in list(call.args) + list(call.keywords):
        if id(node) not in flags:
            kept.append(ctx.source(node))
    values = []
    for node, index in found:
        value = node.value if isinstance(node, ast.keyword) else node
        values.append("%s=%s" % (_FLAGS[index][0], ctx.source(value)))
    builder = qual[len("torchvision.models.") :]
    kept.append('**%s("%s", %s)' % (ctx.tc("vision.weights_for"), builder, ", ".join(values)))
    open_at = ctx.text.index("(", ctx.end(call.func))
    ctx.report(call, edits=[(open_at + 1, ctx.end(call) - 1, ", ".join(kept))])
