"""torchvision shifts, keyed by torchvision's own releases (``library="torchvision"``; the paired torch release
comes from :mod:`torchcompat.shifts.pairing`). Catalogue with links: docs/domain-shifts.md.

The adapter ``tc.vision.weights_for(builder, pretrained=...)`` gives the keyword arguments that load the same
weights on the installed torchvision (``pretrained=True`` before 0.13, ``weights="IMAGENET1K_V1"`` from 0.13).
No torch or torchvision import at module level."""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from torchcompat.registry import backport, declare

shift = declare("vision", library="torchvision")

TV_PRETRAINED = shift(
    "tv-pretrained",
    "models.resnet50(pretrained=True) → models.resnet50(weights=ResNet50_Weights.IMAGENET1K_V1)",
    old="`models.resnet50(pretrained=True)`, `pretrained_backbone=True`, `resnet50(True)`",
    new='`models.resnet50(weights="IMAGENET1K_V1")`, `weights_backbone="IMAGENET1K_V1"`',
    added="0.13",
    deprecated="0.13",
    link="https://github.com/pytorch/vision/releases/tag/v0.13.0",
    strategy="codemod",
    notes="torchvision 0.13 added the multi-weight API (`weights=`, `weights_backbone=`) and deprecated "
    "`pretrained=` / `pretrained_backbone=` and positional flags; still accepted with a warning in 0.29.1 "
    "(measured). `pretrained=True` loads the builder's legacy weights (IMAGENET1K_V1 for resnet50), not "
    "`DEFAULT` (IMAGENET1K_V2 there). How common: H (TorchFix TOR201)",
    kind="spelling",
    probe=lambda env: _torchvision_at_least("0.13"),
)

TV_TRANSFORM_RENAMES = shift(
    "tv-transform-renames",
    "transforms.Scale → Resize, transforms.RandomSizedCrop → RandomResizedCrop",
    old="`transforms.Scale(size)`, `transforms.RandomSizedCrop(size)`",
    new="`transforms.Resize(size)`, `transforms.RandomResizedCrop(size)`",
    added="0.2",
    deprecated="0.2",
    removed="0.12",
    link="https://github.com/pytorch/vision/pull/274",
    strategy="legacy-restore",
    notes="Deprecated aliases (subclasses that only warn) from 0.2.0 (pytorch/vision#274), removed in 0.12 "
    "(pytorch/vision#5386, see pytorch/vision#5927). Same arguments, same behaviour. How common: H",
    kind="spelling",
    probe=lambda env: _torchvision_at_least("0.2"),
)

TV_V2_TOTENSOR = shift(
    "tv-v2-totensor",
    "transforms.v2.ToTensor() → v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True)])",
    old="`transforms.v2.ToTensor()`",
    new="`v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True)])`",
    added="0.15",
    deprecated="0.15",
    link="https://github.com/pytorch/vision/issues/8902",
    strategy="warn-only",
    notes="v2.ToTensor warns from its first release (0.15, torchvision/transforms/v2/_deprecated.py). The "
    "replacement returns a tv_tensors.Image and differs in the last float bit (pytorch/vision#8902): reported, "
    "not rewritten. How common: M (TorchFix TOR202)",
    kind="meaning",
)

#: Measured on torchvision 0.29.1 (the ``handle_legacy_interface`` table of every builder): what
#: ``pretrained=True`` / ``pretrained_backbone=True`` load, by builder module. ``None`` key: every builder of
#: that module not listed by name. Values: (weights, weights_backbone); "" when the builder has no such flag.
PRETRAINED_WEIGHTS: Dict[str, Tuple[str, str]] = {
    "torchvision.models": ("IMAGENET1K_V1", ""),
    "torchvision.models.detection": ("COCO_V1", "IMAGENET1K_V1"),
    "torchvision.models.detection.ssd300_vgg16": ("COCO_V1", "IMAGENET1K_FEATURES"),
    "torchvision.models.segmentation": ("COCO_WITH_VOC_LABELS_V1", "IMAGENET1K_V1"),
    "torchvision.models.video": ("KINETICS400_V1", ""),
    "torchvision.models.optical_flow.raft_large": ("C_T_SKHT_V2", ""),
    "torchvision.models.optical_flow.raft_small": ("C_T_V2", ""),
    # quantization builders load quantized weights only with quantize=True (a rule checks the literal)
    "torchvision.models.quantization": ("IMAGENET1K_V1", ""),
}
#: Every model builder with a ``pretrained=`` flag, by sub-package (measured on torchvision 0.29.1).
BUILDERS: Dict[str, Tuple[str, ...]] = {
    "": (
        "alexnet",
        "convnext_base",
        "convnext_large",
        "convnext_small",
        "convnext_tiny",
        "densenet121",
        "densenet161",
        "densenet169",
        "densenet201",
        "efficientnet_b0",
        "efficientnet_b1",
        "efficientnet_b2",
        "efficientnet_b3",
        "efficientnet_b4",
        "efficientnet_b5",
        "efficientnet_b6",
        "efficientnet_b7",
        "efficientnet_v2_l",
        "efficientnet_v2_m",
        "efficientnet_v2_s",
        "googlenet",
        "inception_v3",
        "maxvit_t",
        "mnasnet0_5",
        "mnasnet0_75",
        "mnasnet1_0",
        "mnasnet1_3",
        "mobilenet_v2",
        "mobilenet_v3_large",
        "mobilenet_v3_small",
        "regnet_x_16gf",
        "regnet_x_1_6gf",
        "regnet_x_32gf",
        "regnet_x_3_2gf",
        "regnet_x_400mf",
        "regnet_x_800mf",
        "regnet_x_8gf",
        "regnet_y_128gf",
        "regnet_y_16gf",
        "regnet_y_1_6gf",
        "regnet_y_32gf",
        "regnet_y_3_2gf",
        "regnet_y_400mf",
        "regnet_y_800mf",
        "regnet_y_8gf",
        "resnet101",
        "resnet152",
        "resnet18",
        "resnet34",
        "resnet50",
        "resnext101_32x8d",
        "resnext101_64x4d",
        "resnext50_32x4d",
        "shufflenet_v2_x0_5",
        "shufflenet_v2_x1_0",
        "shufflenet_v2_x1_5",
        "shufflenet_v2_x2_0",
        "squeezenet1_0",
        "squeezenet1_1",
        "swin_b",
        "swin_s",
        "swin_t",
        "swin_v2_b",
        "swin_v2_s",
        "swin_v2_t",
        "vgg11",
        "vgg11_bn",
        "vgg13",
        "vgg13_bn",
        "vgg16",
        "vgg16_bn",
        "vgg19",
        "vgg19_bn",
        "vit_b_16",
        "vit_b_32",
        "vit_h_14",
        "vit_l_16",
        "vit_l_32",
        "wide_resnet101_2",
        "wide_resnet50_2",
    ),
    "detection": (
        "fasterrcnn_mobilenet_v3_large_320_fpn",
        "fasterrcnn_mobilenet_v3_large_fpn",
        "fasterrcnn_resnet50_fpn",
        "fasterrcnn_resnet50_fpn_v2",
        "fcos_resnet50_fpn",
        "keypointrcnn_resnet50_fpn",
        "maskrcnn_resnet50_fpn",
        "maskrcnn_resnet50_fpn_v2",
        "retinanet_resnet50_fpn",
        "retinanet_resnet50_fpn_v2",
        "ssd300_vgg16",
        "ssdlite320_mobilenet_v3_large",
    ),
    "optical_flow": ("raft_large", "raft_small"),
    "quantization": (
        "googlenet",
        "inception_v3",
        "mobilenet_v2",
        "mobilenet_v3_large",
        "resnet18",
        "resnet50",
        "resnext101_32x8d",
        "resnext101_64x4d",
        "shufflenet_v2_x0_5",
        "shufflenet_v2_x1_0",
        "shufflenet_v2_x1_5",
        "shufflenet_v2_x2_0",
    ),
    "segmentation": (
        "deeplabv3_mobilenet_v3_large",
        "deeplabv3_resnet101",
        "deeplabv3_resnet50",
        "fcn_resnet101",
        "fcn_resnet50",
        "lraspp_mobilenet_v3_large",
    ),
    "video": ("mc3_18", "mvit_v1_b", "mvit_v2_s", "r2plus1d_18", "r3d_18", "s3d", "swin3d_b", "swin3d_s", "swin3d_t"),
}
#: Builders whose ``pretrained=True`` loaded nothing (no legacy weights): never rewritten.
NO_LEGACY_WEIGHTS = ("regnet_y_128gf", "vit_h_14")
#: Sub-packages whose builders live as ``torchvision.models.<sub>.<module>.<builder>`` too.
MODEL_PACKAGES = ("detection", "segmentation", "video", "optical_flow", "quantization")


def pretrained_weights(qualname: str) -> Optional[Tuple[str, str]]:
    """(weights, weights_backbone) names that ``pretrained=True`` / ``pretrained_backbone=True`` load for the
    builder ``qualname`` (``torchvision.models.resnet.resnet101`` or ``torchvision.models.resnet101``), or None
    when ``qualname`` is no torchvision model builder."""
    parts = qualname.split(".")
    if len(parts) < 3 or parts[:2] != ["torchvision", "models"]:
        return None
    name = parts[-1]
    if not name[:1].islower() or name.startswith("_") or name in NO_LEGACY_WEIGHTS:
        return None
    middle = parts[2:-1]
    package = middle[0] if middle and middle[0] in MODEL_PACKAGES else ""
    if len(middle) > (2 if package else 1) or name not in BUILDERS.get(package, ()):
        return None
    module = "torchvision.models" + ("." + package if package else "")
    found = PRETRAINED_WEIGHTS.get(module + "." + name) or PRETRAINED_WEIGHTS.get(module)
    return found


def _torchvision_version() -> Optional[str]:
    try:
        import torchvision
    except Exception:  # a torchvision that does not match torch fails at import (not our business here)
        return None
    return str(getattr(torchvision, "__version__", "0")).split("+")[0]


def _torchvision_at_least(version: str) -> bool:
    from torchcompat._release import parse

    found = _torchvision_version()
    return found is not None and parse(found, warn=False) >= parse(version, warn=False)


@TV_PRETRAINED.adapter("vision.weights_for")
def _weights_for(env: Any) -> Any:
    def weights_for(builder: str, pretrained: bool = False, pretrained_backbone: Optional[bool] = None) -> Dict:
        """Keyword arguments for ``torchvision.models.<builder>`` that load what ``pretrained=`` /
        ``pretrained_backbone=`` loaded, on the installed torchvision: ``{"pretrained": True}`` before 0.13,
        ``{"weights": "IMAGENET1K_V1"}`` (the legacy weights, not ``DEFAULT``) from 0.13 on."""
        qual = builder if builder.startswith("torchvision.") else "torchvision.models." + builder
        names = pretrained_weights(qual)
        if names is None:
            raise ValueError(
                "%r is not a torchvision model builder (resnet50, detection.fasterrcnn_resnet50_fpn)" % builder
            )
        out: Dict[str, Any] = {}
        if _torchvision_version() is None:
            raise ImportError("tc.vision.weights_for: torchvision is not installed here (or fails to import)")
        if not _torchvision_at_least("0.13"):
            out["pretrained"] = bool(pretrained)
            if pretrained_backbone is not None:
                out["pretrained_backbone"] = bool(pretrained_backbone)
            return out
        out["weights"] = names[0] if pretrained else None
        if pretrained_backbone is not None:
            if not names[1]:
                raise ValueError("%s has no backbone weights (pretrained_backbone=)" % builder)
            out["weights_backbone"] = names[1] if pretrained_backbone else None
        return out

    return backport(weights_for, "keyword arguments for the installed torchvision")
