"""Export restores: ``torch.onnx.export`` without ``dynamo=`` runs the TorchScript-based exporter, as every release
before 2.9 did (legacy ``dynamic_axes`` / ``opset_version`` code was written for it)."""

from __future__ import annotations

import functools
import inspect
from typing import Any

from torchcompat.legacy.engine import in_scope, note
from torchcompat.legacy.face import WRAP, Restore, attach
from torchcompat.shifts.export import ONNX_DYNAMO_DEFAULT


def _dynamo_is_default(env: Any) -> bool:
    """Does ``torch.onnx.export`` default to the dynamo exporter here (2.9+)?"""
    fn = env.get("onnx.export")
    try:
        parameter = inspect.signature(fn).parameters.get("dynamo")
    except (TypeError, ValueError):
        return False
    return parameter is not None and parameter.default is True


def _onnx_export(env: Any, era: str, original: Any) -> Any:
    @functools.wraps(original)
    def export(*args: Any, **kwargs: Any) -> Any:
        if "dynamo" not in kwargs and in_scope(1):
            note(
                "onnx-torchscript",
                "torch.onnx.export without dynamo= runs the TorchScript exporter, as before 2.9; pass dynamo=False",
                1,
            )
            kwargs["dynamo"] = False
        return original(*args, **kwargs)

    return export


attach(
    ONNX_DYNAMO_DEFAULT,
    Restore(
        "onnx.export",
        _onnx_export,
        WRAP,
        name="onnx-torchscript",
        needed=_dynamo_is_default,
        until=None,  # every legacy era exported through TorchScript
        summary="torch.onnx.export without dynamo= uses the TorchScript exporter (the default before 2.9)",
    ),
)
