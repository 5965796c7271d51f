"""torchvision shifts (versions are the paired torch releases): pretrained= -> weights=.

Records generated from the shift catalogue; adapters, probes and notes are added beside them."""

from __future__ import annotations

from torchcompat.registry import declare

shift = declare("vision")

TV_PRETRAINED = shift(
    "tv-pretrained",
    "models.resnet50(pretrained=True) → models.resnet50(weights=ResNet50_Weights.IMAGENET1K_V1)",
    old="`models.resnet50(pretrained=True)`",
    new="`models.resnet50(weights=ResNet50_Weights.IMAGENET1K_V1)`",
    added="1.12",  # torchvision 0.13, paired with torch 1.12: versions here are torch releases
    deprecated="1.12",
    strategy="codemod",
    verified=False,
    notes="torchvision 0.13 (with torch 1.12) added `weights=` and deprecated `pretrained=`. How common: ns (H; TorchFix TOR201 autofix)",
    kind="spelling",
)
