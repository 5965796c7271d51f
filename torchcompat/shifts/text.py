"""torchtext shifts, keyed by torchtext's own releases (``library="torchtext"``). Catalogue with links:
docs/domain-shifts.md. Reported only (rule TC970): the legacy classes were deleted, not renamed."""

from __future__ import annotations

from torchcompat.registry import declare

shift = declare("text", library="torchtext")

TT_LEGACY_DATA = shift(
    "tt-legacy-data",
    "torchtext.data.Field / BucketIterator / Iterator → torchtext.legacy.data (0.9 - 0.11), gone in 0.12",
    old="`from torchtext.data import Field, BucketIterator, TabularDataset`",
    new="`torchtext.legacy.data.Field` (0.9 - 0.11); from 0.12: `torch.utils.data.DataLoader` + "
    "`torchtext.vocab.build_vocab_from_iterator` + a tokenizer",
    deprecated="0.9",
    removed="0.12",
    link="https://github.com/pytorch/text/releases/tag/v0.9.0-rc5",
    strategy="warn-only",
    notes="0.9 moved Field, Batch, Example, Iterator/BucketIterator/BPTTIterator, Pipeline, the legacy Dataset "
    "classes and datasets to torchtext.legacy; 0.12 deleted the folder (pytorch/text#1437). torchtext's last "
    "release is 0.18 (torch 2.3). How common: H (2017-2020 NLP tutorials)",
    kind="spelling",
)
