"""TC960: ``torchvision.models.resnet50(pretrained=True)`` (deprecated in torchvision 0.13, paired with
torch 1.12) -> ``weights="IMAGENET1K_V1"``: the weights ``pretrained=True`` loads (``"DEFAULT"`` may be
newer, different weights); ``pretrained=False`` -> ``weights=None``. Only the classification builders
at ``torchvision.models.<name>`` (detection, segmentation and quantized models map to other weights)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import keyword
from torchcompat.shifts.vision import TV_PRETRAINED


@rule(
    "TC960",
    record=TV_PRETRAINED,
    name="tv-pretrained",
    message="pretrained= is deprecated since torchvision 0.13: pass weights=",
    docs='torchvision.models.resnet50(pretrained=True) -> torchvision.models.resnet50(weights="IMAGENET1K_V1")',
    safe=True,
    portable="",
    nodes=(ast.Call,),
    hints=("pretrained",),
)
def tv_pretrained(call: ast.Call, ctx: Context) -> None:
    flag = keyword(call, "pretrained")
    if flag is None or keyword(call, "weights") is not None:
        return
    qual = ctx.qualname(call.func) or ""
    parts = qual.split(".")
    if len(parts) != 3 or parts[:2] != ["torchvision", "models"] or not parts[2][:1].islower():
        return
    if not isinstance(flag.value, ast.Constant) or not isinstance(flag.value.value, bool):
        ctx.report(call)
        return
    start, end = ctx.span(flag)
    ctx.report(call, edits=[(start, end, 'weights="IMAGENET1K_V1"' if flag.value.value else "weights=None")])
