"""TC360-TC365: third-wave nn rules.

* TC360 ``F.grid_sample`` / ``F.affine_grid`` without ``align_corners``: the default flipped to False in
  1.3 and torch still warns. Fix: ``align_corners=False`` (today's behaviour, explicit; 1.3).
* TC361 ``F.interpolate(x, scale_factor=1.5)`` (a non-integral literal scale): the sample positions
  differ before 1.6 (``recompute_scale_factor``). Only reported when the output must run below 1.6:
  ``--portable``: ``tc.nn.functional.interpolate``; ``--target-version 1.5``:
  ``recompute_scale_factor=False``.
* TC362 ``nn.utils.weight_norm(m)`` (deprecated in 2.1) -> ``nn.utils.parametrizations.weight_norm(m)``
  (unsafe: parameters become ``parametrizations.weight.original0/1``; ``--portable``:
  ``tc.nn.utils.weight_norm``).
* TC363 ``torch.backends.cuda.sdp_kernel(enable_flash=..., ...)`` with literal flags (deprecated in
  2.3) -> ``torch.nn.attention.sdpa_kernel([SDPBackend....])``.
* TC364 ``pack_padded_sequence(x, lengths.cuda())`` (lengths provably on CUDA): an error since 1.7.
  Fix: ``lengths.cpu()``.
* TC365 ``add_module``/``register_buffer``/``register_parameter`` with a literal name containing a dot:
  refused since 0.4 (KeyError). Reported (rename the submodule)."""

from __future__ import annotations

import ast

from torchcompat.migrate.engine import Context, rule
from torchcompat.migrate.rules._helpers import keyword
from torchcompat.migrate.rules._helpers2 import call_rule, const, single_assignment


@rule(
    "TC360",
    shift="nn-grid-sample-align",
    name="grid-sample-align",
    message="grid_sample/affine_grid default to align_corners=False since torch 1.3 (and warn): pass it "
    "explicitly (True gives the pre-1.3 sampling)",
    docs="F.grid_sample(x, g) -> F.grid_sample(x, g, align_corners=False)",
    min_version="1.3",
    safe=True,
    portable="",
    nodes=(ast.Call,),
    hints=("grid_sample", "affine_grid"),
)
@call_rule(["torch.nn.functional.grid_sample", "torch.nn.functional.affine_grid"])
def grid_sample(call: ast.Call, ctx: Context, qual: str) -> None:
    if keyword(call, "align_corners") is not None or any(k.arg is None for k in call.keywords):
        return
    if any(isinstance(a, ast.Starred) for a in call.args):
        return
    limit = 5 if qual.endswith("grid_sample") else 3  # positional align_corners
    if len(call.args) >= limit:
        return
    ctx.report(call, edits=[ctx.append_arguments(call, "align_corners=False")])


@rule(
    "TC361",
    shift="nn-interp-recompute-scale",
    name="interp-recompute-scale",
    message="interpolate with a non-integral scale_factor samples differently before torch 1.6 "
    "(recompute_scale_factor): use tc.nn.functional.interpolate or pass recompute_scale_factor=False",
    docs="F.interpolate(x, scale_factor=1.5) -> tc.nn.functional.interpolate(...) (--portable) or "
    "recompute_scale_factor=False (target 1.5)",
    min_version="1.5",
    safe=True,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("interpolate",),
)
@call_rule(["torch.nn.functional.interpolate"])
def interp_scale(call: ast.Call, ctx: Context, qual: str) -> None:
    if not ctx.portable and ctx.allows("1.6"):
        return  # one behaviour on every release the output targets
    if keyword(call, "recompute_scale_factor") is not None or any(k.arg is None for k in call.keywords):
        return
    scale = keyword(call, "scale_factor")
    value = const(scale.value) if scale is not None else (const(call.args[2]) if len(call.args) > 2 else None)
    if not isinstance(value, float) or value.is_integer():
        return
    if ctx.portable:
        start, end = ctx.span(call.func)
        ctx.report(call, edits=[(start, end, ctx.tc("nn.functional.interpolate"))])
    else:
        ctx.report(call, edits=[ctx.append_arguments(call, "recompute_scale_factor=False")])


@rule(
    "TC362",
    shift="nn-weight-norm",
    name="weight-norm",
    message="torch.nn.utils.weight_norm is deprecated since torch 2.1: use "
    "torch.nn.utils.parametrizations.weight_norm (parameters become parametrizations.weight.original0/1)",
    docs="nn.utils.weight_norm(m) -> nn.utils.parametrizations.weight_norm(m) (--portable: tc.nn.utils.weight_norm(m))",
    min_version="2.1",
    safe=False,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("weight_norm",),
)
@call_rule(["torch.nn.utils.weight_norm", "torch.nn.utils.weight_norm.weight_norm"])
def weight_norm(call: ast.Call, ctx: Context, qual: str) -> None:
    start, end = ctx.span(call.func)
    new = ctx.tc("nn.utils.weight_norm") if ctx.portable else ctx.torch("nn.utils.parametrizations.weight_norm")
    ctx.report(call, edits=[(start, end, new)])


_SDP_FLAGS = (
    ("enable_flash", "FLASH_ATTENTION"),
    ("enable_mem_efficient", "EFFICIENT_ATTENTION"),
    ("enable_math", "MATH"),
    ("enable_cudnn", "CUDNN_ATTENTION"),
)


@rule(
    "TC363",
    shift="nn-sdp-kernel",
    name="sdp-kernel",
    message="torch.backends.cuda.sdp_kernel is deprecated since torch 2.3: use "
    "torch.nn.attention.sdpa_kernel([SDPBackend...])",
    docs="sdp_kernel(enable_flash=True, enable_math=False, enable_mem_efficient=False) -> "
    "sdpa_kernel([SDPBackend.FLASH_ATTENTION])",
    min_version="2.3",
    safe=True,
    portable="",
    nodes=(ast.Call,),
    hints=("sdp_kernel",),
)
@call_rule(["torch.backends.cuda.sdp_kernel"])
def sdp_kernel(call: ast.Call, ctx: Context, qual: str) -> None:
    flags = {}
    if call.args:
        ctx.report(call)
        return
    for kw in call.keywords:
        value = const(kw.value)
        if kw.arg not in dict(_SDP_FLAGS) or not isinstance(value, bool):
            ctx.report(call)
            return
        flags[kw.arg] = value
    chosen = [member for arg, member in _SDP_FLAGS if flags.get(arg, True)]
    if not chosen:
        ctx.report(call)
        return
    backend = ctx.torch("nn.attention.SDPBackend")
    text = "%s([%s])" % (ctx.torch("nn.attention.sdpa_kernel"), ", ".join(backend + "." + m for m in chosen))
    start, end = ctx.span(call)
    ctx.report(call, edits=[(start, end, text)])


def _cuda_call(ctx: Context, node: ast.AST) -> bool:
    if isinstance(node, ast.Name):
        node = single_assignment(ctx, node)
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "cuda"
        and ctx.qualname(node.func) is None
    )


@rule(
    "TC364",
    shift="nn-packed-seq-cpu-lengths",
    name="packed-seq-cpu-lengths",
    message="pack_padded_sequence needs lengths on the CPU since torch 1.7",
    docs="pack_padded_sequence(x, lengths.cuda()) -> pack_padded_sequence(x, lengths.cpu())",
    min_version="1.0",
    safe=True,
    nodes=(ast.Call,),
    hints=("pack_padded_sequence",),
)
@call_rule(["torch.nn.utils.rnn.pack_padded_sequence"])
def packed_lengths(call: ast.Call, ctx: Context, qual: str) -> None:
    lengths = call.args[1] if len(call.args) > 1 else getattr(keyword(call, "lengths"), "value", None)
    if lengths is None or not _cuda_call(ctx, lengths):
        return
    if isinstance(lengths, ast.Call) and not lengths.args and not lengths.keywords:
        end = ctx.end(lengths.func)
        ctx.report(lengths, edits=[(end - len("cuda"), end, "cpu")])  # x.cuda() -> x.cpu()
        return
    end = ctx.end(lengths)
    ctx.report(lengths, edits=[(end, end, ".cpu()")])


_REGISTER = {"add_module": 0, "register_buffer": 0, "register_parameter": 0, "register_module": 0}


@rule(
    "TC365",
    shift="nn-module-name-dots",
    name="module-name-dots",
    message="submodule, buffer and parameter names may not contain '.' since torch 0.4 (KeyError): rename it",
    docs="self.add_module('a.b', m) -> reported (use a name without dots)",
    min_version="1.0",
    safe=False,
    fixable=False,
    nodes=(ast.Call,),
    hints=("add_module", "register_buffer", "register_parameter", "register_module"),
)
def module_name_dots(call: ast.Call, ctx: Context) -> None:
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in _REGISTER or ctx.qualname(func) is not None:
        return
    name = call.args[0] if call.args else getattr(keyword(call, "name"), "value", None)
    if isinstance(name, ast.Constant) and isinstance(name.value, str) and "." in name.value:
        ctx.report(call)
