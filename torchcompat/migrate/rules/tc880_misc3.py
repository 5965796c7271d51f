"""TC880-TC890: third-wave data / distributed / func / onnx / optim rules.

* TC880 ``from torch.utils.data.dataloader import numpy_type_map, int_classes, string_classes,
  _use_shared_memory`` (ImportError since 1.1): reported (use ``int``, ``str``, a local copy).
* TC881 ``torch.utils.data.dataloader._DataLoaderIter`` / ``DataLoaderIter`` (gone in 1.2): reported
  (``_SingleProcessDataLoaderIter`` / ``_MultiProcessingDataLoaderIter``, both private).
* TC882 ``DataLoader(..., prefetch_factor=k)`` without workers (no ``num_workers`` or a literal 0): a
  ValueError since 2.0. Fix: drop ``prefetch_factor`` (it does nothing without workers).
* TC883 ``init_process_group('tcp')`` (THD, gone in 1.0) -> ``'gloo'``.
* TC884 ``torch.vmap``: the 1.7-1.12 prototype differs, 1.13 has none. Only under ``--portable``
  (``tc.vmap``) or for a ``--target-version`` from 1.7 to 1.13 (reported: ``torch.func.vmap`` needs 2.0).
* TC885 ``torch.onnx.dynamo_export(model, *args)`` (removed in 2.9) ->
  ``torch.onnx.export(model, (args,), dynamo=True)`` (positional arguments only; unsafe).
* TC886 ``torch.onnx.export(...)`` with TorchScript-exporter arguments (``dynamic_axes``,
  ``operator_export_type``, ``custom_opsets``, ``training``, ``export_modules_as_functions``,
  ``autograd_inlining``) and no ``dynamo=``: 2.9 made the dynamo exporter the default. Fix:
  ``dynamo=False`` (2.5).
* TC887 ``sched.get_lr()`` / ``sched.step(epoch)`` on a name assigned once from a
  ``torch.optim.lr_scheduler`` class (not ReduceLROnPlateau): ``get_lr()`` -> ``get_last_lr()`` (1.4,
  unsafe: ``get_lr`` outside ``step`` gives the chainable formula's value); ``step(epoch)`` is reported.
* TC888 ``verbose=`` to a ``torch.optim.lr_scheduler`` class (deprecated in 2.2): removed (unsafe: the
  messages stop; log ``get_last_lr()``).
* TC889 ``self._cuda_graph_capture_health_check()`` (renamed in 2.11) ->
  ``_accelerator_graph_capture_health_check``.
* TC890 ``parser.add_argument("--local_rank")``: ``torch.distributed.launch`` passes ``--local-rank`` from
  2.0 (torchrun: the ``LOCAL_RANK`` variable). Fix: also accept ``"--local-rank"`` (the dest stays
  ``local_rank``)."""

from __future__ import annotations

import ast

from torchcompat.migrate.engine import Context, rule
from torchcompat.migrate.rules._helpers import keyword
from torchcompat.migrate.rules._helpers2 import arg_src, call_rule, const, single_assignment

_PRIVATE = {"numpy_type_map", "int_classes", "string_classes", "_use_shared_memory"}


@rule(
    "TC880",
    shift="data-private-helpers",
    name="data-private-helpers",
    message="torch.utils.data.dataloader no longer exports numpy_type_map / int_classes / string_classes / "
    "_use_shared_memory (torch 1.1): use int, str or a local copy",
    docs="from torch.utils.data.dataloader import string_classes -> reported (use str)",
    min_version="1.0",
    safe=False,
    fixable=False,
    nodes=(ast.ImportFrom, ast.Attribute),
    hints=("dataloader",),
)
def data_private(node: ast.AST, ctx: Context) -> None:
    if isinstance(node, ast.ImportFrom):
        if node.module == "torch.utils.data.dataloader" and not node.level:
            if any(a.name in _PRIVATE for a in node.names):
                ctx.report(node)
        return
    qual = ctx.qualname(node) or ""
    if qual.rsplit(".", 1)[0] == "torch.utils.data.dataloader" and qual.rsplit(".", 1)[1] in _PRIVATE:
        ctx.report(node)


_ITER = {"torch.utils.data.dataloader._DataLoaderIter", "torch.utils.data.dataloader.DataLoaderIter"}


@rule(
    "TC881",
    shift="data-iter-class",
    name="data-iter-class",
    message="_DataLoaderIter was split in torch 1.2: use _SingleProcessDataLoaderIter or "
    "_MultiProcessingDataLoaderIter (private)",
    docs="dataloader._DataLoaderIter -> reported",
    min_version="1.0",
    safe=False,
    fixable=False,
    nodes=(ast.ImportFrom, ast.Attribute),
    hints=("*DataLoaderIter",),
)
def data_iter(node: ast.AST, ctx: Context) -> None:
    if isinstance(node, ast.ImportFrom):
        if node.module == "torch.utils.data.dataloader" and not node.level:
            if any(a.name in ("_DataLoaderIter", "DataLoaderIter") for a in node.names):
                ctx.report(node)
        return
    if ctx.qualname(node) in _ITER:
        ctx.report(node)


@rule(
    "TC882",
    shift="data-prefetch-no-workers",
    name="prefetch-no-workers",
    message="DataLoader(prefetch_factor=...) without workers raises since torch 2.0: drop prefetch_factor",
    docs="DataLoader(ds, prefetch_factor=2) -> DataLoader(ds)",
    min_version="1.0",
    safe=True,
    nodes=(ast.Call,),
    hints=("prefetch_factor",),
)
@call_rule(["torch.utils.data.DataLoader", "torch.utils.data.dataloader.DataLoader"])
def prefetch(call: ast.Call, ctx: Context, qual: str) -> None:
    factor = keyword(call, "prefetch_factor")
    if factor is None or const(factor.value) is None or any(k.arg is None for k in call.keywords):
        return
    if len(call.args) > 1:
        return  # num_workers may be positional
    workers = keyword(call, "num_workers")
    if workers is not None and const(workers.value) != 0:
        return
    edit = ctx.remove_argument(call, factor)
    if edit is not None:
        ctx.report(call, edits=[edit])


@rule(
    "TC883",
    shift="dist-thd-backend",
    name="thd-backend",
    message="the THD 'tcp' backend was removed in torch 1.0: use 'gloo' (or 'nccl' on GPUs)",
    docs="init_process_group('tcp') -> init_process_group('gloo')",
    min_version="1.0",
    safe=False,
    nodes=(ast.Call,),
    hints=("init_process_group",),
)
@call_rule(["torch.distributed.init_process_group"])
def thd(call: ast.Call, ctx: Context, qual: str) -> None:
    backend = call.args[0] if call.args else getattr(keyword(call, "backend"), "value", None)
    if isinstance(backend, ast.Constant) and backend.value == "tcp":
        start, end = ctx.span(backend)
        ctx.report(call, edits=[(start, end, "'gloo'")])


@rule(
    "TC884",
    shift="func-torch-vmap-prototype",
    name="torch-vmap",
    message="torch.vmap is a different prototype in torch 1.7-1.12 and absent in 1.13: use tc.vmap "
    "(torch.func.vmap from 2.0)",
    docs="torch.vmap -> tc.vmap (--portable; output for targets below 2.0)",
    min_version="2.0",
    safe=True,
    portable="adapter",
    nodes=(ast.Attribute,),
    hints=("vmap",),
)
def vmap(node: ast.Attribute, ctx: Context) -> None:
    if not ctx.portable and (ctx.allows("2.0") or not ctx.allows("1.7")):
        return  # torch.vmap is the real one on every target release, or absent on all of them below 1.7
    if isinstance(node.ctx, ast.Load) and ctx.qualname(node) == "torch.vmap":
        start, end = ctx.span(node)
        ctx.report(node, edits=[(start, end, ctx.tc("vmap") if ctx.portable else ctx.torch("func.vmap"))])


@rule(
    "TC885",
    shift="onnx-dynamo-export",
    name="onnx-dynamo-export",
    message="torch.onnx.dynamo_export was removed in torch 2.9: use torch.onnx.export(..., dynamo=True)",
    docs="torch.onnx.dynamo_export(m, x) -> torch.onnx.export(m, (x,), dynamo=True)",
    min_version="2.5",
    safe=False,
    portable="",
    nodes=(ast.Call,),
    hints=("dynamo_export",),
)
@call_rule(["torch.onnx.dynamo_export"])
def dynamo_export(call: ast.Call, ctx: Context, qual: str) -> None:
    if call.keywords or not call.args or any(isinstance(a, ast.Starred) for a in call.args):
        ctx.report(call)
        return
    args = [arg_src(ctx, a) for a in call.args[1:]]
    packed = "(%s)" % (args[0] + "," if len(args) == 1 else ", ".join(args))
    text = "%s(%s, %s, dynamo=True)" % (ctx.torch("onnx.export"), arg_src(ctx, call.args[0]), packed)
    start, end = ctx.span(call)
    ctx.report(call, edits=[(start, end, text)])


_TS_ONLY = {
    "dynamic_axes",
    "operator_export_type",
    "custom_opsets",
    "training",
    "export_modules_as_functions",
    "autograd_inlining",
}


@rule(
    "TC886",
    shift="onnx-dynamo-default",
    name="onnx-dynamo-default",
    message="torch.onnx.export uses the dynamo exporter by default since torch 2.9; these arguments are "
    "for the TorchScript exporter: pass dynamo=False",
    docs="torch.onnx.export(m, x, f, dynamic_axes=...) -> torch.onnx.export(..., dynamo=False)",
    min_version="2.5",
    safe=True,
    portable="",
    nodes=(ast.Call,),
    hints=("export",),
)
@call_rule(["torch.onnx.export"])
def dynamo_default(call: ast.Call, ctx: Context, qual: str) -> None:
    if keyword(call, "dynamo") is not None or any(k.arg is None for k in call.keywords):
        return
    if not any(k.arg in _TS_ONLY for k in call.keywords):
        return
    ctx.report(call, edits=[ctx.append_arguments(call, "dynamo=False")])


def _scheduler_class(ctx: Context, node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        node = single_assignment(ctx, node)
    if isinstance(node, ast.Call):
        qual = ctx.qualname(node.func) or ""
        if qual.startswith("torch.optim.lr_scheduler."):
            return qual.rsplit(".", 1)[1]
    return ""


@rule(
    "TC887",
    shift="optim-sched-epoch-arg",
    name="sched-epoch-arg",
    message="scheduler.get_lr() outside step() is not the current LR since torch 1.4: use get_last_lr()",
    docs="sched.get_lr() -> sched.get_last_lr(); sched.step(epoch) -> reported",
    min_version="1.4",
    safe=False,
    nodes=(ast.Call,),
    hints=("get_lr", "step"),
)
def sched_epoch(call: ast.Call, ctx: Context) -> None:
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in ("get_lr", "step"):
        return
    cls = _scheduler_class(ctx, func.value)
    if not cls or cls == "ReduceLROnPlateau" or call.keywords:
        return
    if func.attr == "get_lr" and not call.args:
        end = ctx.end(func)
        ctx.report(call, edits=[(end - len("get_lr"), end, "get_last_lr")])
    elif func.attr == "step" and call.args:
        ctx.report(
            call,
            message="scheduler.step(epoch) is deprecated since torch 1.4: call step() once per epoch",
        )


@rule(
    "TC888",
    shift="optim-plateau-verbose",
    name="scheduler-verbose",
    message="the verbose argument of LR schedulers is deprecated since torch 2.2: log get_last_lr() instead",
    docs="ReduceLROnPlateau(opt, verbose=True) -> ReduceLROnPlateau(opt)",
    min_version="1.0",
    safe=False,
    nodes=(ast.Call,),
    hints=("verbose",),
)
def sched_verbose(call: ast.Call, ctx: Context) -> None:
    qual = ctx.qualname(call.func) or ""
    if not qual.startswith("torch.optim.lr_scheduler."):
        return
    verbose = keyword(call, "verbose")
    if verbose is None:
        return
    edit = ctx.remove_argument(call, verbose)
    if edit is not None:
        ctx.report(call, edits=[edit])


@rule(
    "TC889",
    shift="optim-private-hook",
    name="optim-private-hook",
    message="Optimizer._cuda_graph_capture_health_check was renamed in torch 2.11: "
    "_accelerator_graph_capture_health_check",
    docs="self._cuda_graph_capture_health_check() -> self._accelerator_graph_capture_health_check()",
    min_version="2.11",
    safe=True,
    portable="",
    nodes=(ast.Attribute,),
    hints=("_cuda_graph_capture_health_check",),
)
def private_hook(node: ast.Attribute, ctx: Context) -> None:
    if node.attr != "_cuda_graph_capture_health_check" or not isinstance(node.ctx, ast.Load):
        return
    if not isinstance(node.value, ast.Name) or node.value.id != "self":
        return
    end = ctx.end(node)
    ctx.report(node, edits=[(end - len(node.attr), end, "_accelerator_graph_capture_health_check")])


@rule(
    "TC890",
    shift="dist-launch-local-rank",
    name="launch-local-rank",
    message="torch.distributed.launch passes --local-rank (not --local_rank) since torch 2.0, and torchrun "
    "passes none (read os.environ['LOCAL_RANK']): accept both spellings",
    docs='parser.add_argument("--local_rank", ...) -> parser.add_argument("--local_rank", "--local-rank", ...)',
    min_version="1.0",
    safe=True,
    nodes=(ast.Call,),
    hints=("local_rank",),
)
def launch_local_rank(call: ast.Call, ctx: Context) -> None:
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr != "add_argument" or ctx.qualname(func) is not None:
        return
    names = [const(a) for a in call.args]
    if "--local_rank" not in names or "--local-rank" in names:
        return
    first = call.args[names.index("--local_rank")]
    end = ctx.end(first)
    ctx.report(call, edits=[(end, end, ', "--local-rank"')])
