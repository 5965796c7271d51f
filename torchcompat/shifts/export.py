"""Export shifts: TorchScript's deprecation, the ONNX exporter's dynamo default and dynamo_export.

Records generated from the shift catalogue; adapters, probes and notes are added beside them."""

from __future__ import annotations

from torchcompat.registry import declare

shift = declare("export")

JIT_TORCHSCRIPT = shift(
    "jit-torchscript",
    "torch.jit.script / trace deprecated → torch.compile / torch.export",
    old="`torch.jit.script`, `torch.jit.trace`, `@torch.jit.script_method`, `torch.jit.ScriptModule`",
    new="`torch.compile` (speed) / `torch.export` (deployment)",
    added="2.0",
    strategy="warn-only",
    notes='added: 2.0 (compile), 2.1 (export); deprecated: docs 2.9; `DeprecationWarning` emitted in 2.10; "deprecated in favor of torch.export" per the 2.11 blog. Silent change: — (but test suites run with `-W error` break at import). How common: M (5: pyg, DeepSpeed, lance, vllm CI)',
    kind="spelling",
)

ONNX_DYNAMO_DEFAULT = shift(
    "onnx-dynamo-default",
    "torch.onnx.export defaults to dynamo=True (2.9) → pass dynamo=False explicitly",
    old="`torch.onnx.export(model, args, f, dynamic_axes=..., opset_version=...)` (TorchScript exporter)",
    new="pass `dynamo=False` explicitly (guard on the signature: the param exists since 2.5) or migrate to `dynamic_shapes`",
    added="2.5",
    deprecated="2.8",
    removed="2.9",
    strategy="codemod",
    verified=False,
    notes="added: 2.5 (`dynamo=` kwarg); deprecated: 2.8/2.9 (warnings) ?; removed: 2.9: default `dynamo=True`. Silent change: YES: a different exporter/graph; legacy kwargs fail or behave differently. How common: M (6)",
    kind="meaning",
)

ONNX_DYNAMO_EXPORT = shift(
    "onnx-dynamo-export",
    "torch.onnx.dynamo_export(...) → torch.onnx.export(..., dynamo=True)",
    old="`torch.onnx.dynamo_export(...)`, `ExportOptions`, `OnnxRegistry`",
    new="`torch.onnx.export(..., dynamo=True)`",
    added="2.5",
    deprecated="2.6",
    removed="2.9",
    link="https://github.com/pytorch/pytorch/pull/146003",
    strategy="alias",
    verified=False,
    notes="deprecated: 2.6/2.7 (PR #146003); removed: ~2.9 (deleted by PR #158130) ?. How common: ns (L)",
    kind="spelling",
)
