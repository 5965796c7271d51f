"""torch._six and its contents.

Records generated from the shift catalogue; adapters, probes and notes are added beside them."""

from __future__ import annotations

from torchcompat.registry import declare

shift = declare("six")

SIX_CONTAINER_ABCS = shift(
    "six-container-abcs",
    "from torch._six import container_abcs, int_classes, string_c -> collections.abc, int, str",
    old="`from torch._six import container_abcs, int_classes, string_classes, PY3`",
    new="`collections.abc`, `int`, `str`",
    removed="1.8",
    strategy="legacy-restore",
    verified=False,
    notes="added: —; deprecated: —; removed: ~1.8 (`container_abcs`/`int_classes`; the apex patch gates on <1.8) ?. How common: VH (12/12)",
)

SIX_MODULE = shift(
    "six-module",
    "from torch._six import inf, string_classes -> math.inf / torch.inf, str",
    old="`from torch._six import inf, string_classes`",
    new="`math.inf` / `torch.inf`, `str`",
    removed="2.0",
    link="https://github.com/pytorch/pytorch/pull/94709",
    strategy="legacy-restore",
    notes="added: —; deprecated: —; removed: 2.0 (module deleted, PR #94709). How common: VH (same sample)",
)
