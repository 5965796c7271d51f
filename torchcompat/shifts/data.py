"""torch.utils.data shifts: private helpers, collate, DataLoader keywords, TensorDataset.

Records generated from the shift catalogue; adapters, probes and notes are added beside them."""

from __future__ import annotations

import inspect
import warnings
from typing import Any

from torchcompat.probe import MISSING
from torchcompat.registry import Resolution, backport, declare, native, unavailable

shift = declare("data")

DATA_PRIVATE_HELPERS = shift(
    "data-private-helpers",
    "from torch.utils.data.dataloader import numpy_type_map, string_classes, ... → local copies",
    old="`from torch.utils.data.dataloader import numpy_type_map, int_classes, string_classes, _use_shared_memory`",
    new="local copies / `torch.utils.data._utils.collate`; `str`, `int`",
    added="1.1",
    removed="1.1",
    strategy="legacy-restore",
    notes="added: 1.1 (moved to `_utils`); removed: 1.1 (ImportError). How common: H (10/12, with the next row)",
    kind="spelling",
)

DATA_ITER_CLASS = shift(
    "data-iter-class",
    "torch.utils.data.dataloader._DataLoaderIter → _SingleProcessDataLoaderIter",
    old="subclassing `torch.utils.data.dataloader._DataLoaderIter` / `DataLoaderIter`",
    new="`_SingleProcessDataLoaderIter` / `_MultiProcessingDataLoaderIter` (private)",
    added="1.2",
    removed="1.2",
    strategy="warn-only",
    verified=False,
    notes="removed: 1.2 ? (ImportError/AttributeError). How common: H (see above)"
    " No restore (issue #15): subclasses of `_DataLoaderIter` override its internals (`sample_iter`, `data_queue`, `_put_indices`, ...) that the 1.2+ iterators do not have, so an alias would run with different meaning.",
    kind="spelling",
)

DATA_DEFAULT_COLLATE = shift(
    "data-default-collate",
    "torch.utils.data._utils.collate.default_collate → torch.utils.data.default_collate",
    old="`torch.utils.data._utils.collate.default_collate` / `default_convert`",
    new="`torch.utils.data.default_collate`",
    added="1.11",
    strategy="alias",
    notes="deprecated: — (private); removed: private path still present. How common: ns (L; TorchFix TOR104)",
    kind="spelling",
)
# tc.utils.data.default_collate is hand-written below (it also knows 1.0's dataloader.default_collate).
DATA_DEFAULT_COLLATE.moved(
    "torch.utils.data._utils.collate.default_collate",
    "torch.utils.data.default_collate",
    code="TC865",
    adapter="utils.data.default_collate",
    alias=False,
)
DATA_DEFAULT_COLLATE.moved(
    "torch.utils.data.dataloader.default_collate",
    "torch.utils.data.default_collate",
    code="TC866",
    adapter="utils.data.default_collate",
    alias=False,
)
DATA_DEFAULT_COLLATE.moved(  # public beside default_collate (TorchFix TOR104/TOR105)
    "torch.utils.data._utils.collate.default_convert",
    "torch.utils.data.default_convert",
    code="TC874",
    restore=False,
)

DATA_PREFETCH_NO_WORKERS = shift(
    "data-prefetch-no-workers",
    "DataLoader(num_workers=0, prefetch_factor=2) raises from 2.0 → prefetch_factor=None",
    old="`DataLoader(..., num_workers=0, prefetch_factor=2)`",
    new="`prefetch_factor=None` when `num_workers == 0`",
    added="1.7",
    removed="2.0",
    strategy="codemod",
    notes="added: 1.7 (`prefetch_factor`); removed: 2.0 (ValueError; the default became None). How common: M (9)",
    kind="meaning",
)

DATA_TENSORDATASET_KWARGS = shift(
    "data-tensordataset-kwargs",
    "TensorDataset(data_tensor=x, target_tensor=y) → TensorDataset(x, y)",
    old="`TensorDataset(data_tensor=x, target_tensor=y)`",
    new="`TensorDataset(x, y)`",
    added="0.4",
    removed="0.4",
    strategy="legacy-restore",
    notes="added: 0.4.0 (`*tensors`); removed: 0.4.0 (TypeError: unexpected keyword `data_tensor`). How common: H (3 of 35 real scripts)",
    kind="spelling",
)

DATA_LOADER_KWARGS = shift(
    "data-loader-kwargs",
    "DataLoader(persistent_workers=, prefetch_factor=, pin_memory_device=) -> TypeError on older torch",
    old="`DataLoader(ds, num_workers=n)` (workers restarted each epoch, 2 batches prefetched per worker)",
    new="`DataLoader(ds, num_workers=n, persistent_workers=True, prefetch_factor=k, pin_memory_device='cuda')`",
    added="1.7",
    link="https://github.com/pytorch/pytorch/pull/41130",
    strategy="backport",
    probe=lambda env: all(
        env.accepts("utils.data.DataLoader", kw)
        for kw in ("persistent_workers", "prefetch_factor", "pin_memory_device")
    ),
    notes="added: 1.7 (`persistent_workers`, `prefetch_factor`); 1.12 (`pin_memory_device`). Older releases raise "
    "TypeError on the keywords; `tc.DataLoader` drops them there, warning only when the value cannot be honoured.",
    kind="spelling",
)


def _default_collate(env: Any) -> Resolution:
    for path in (
        "utils.data.default_collate",  # public from 1.11
        "utils.data._utils.collate.default_collate",  # 1.1 - 1.10
        "utils.data.dataloader.default_collate",  # 1.0
    ):
        obj = env.get(path)
        if obj is not MISSING:
            return native(obj, "torch.%s" % path)
    return unavailable("1.0", "torch.utils.data has no default_collate")


DATA_DEFAULT_COLLATE.adapter("default_collate")(_default_collate)
DATA_DEFAULT_COLLATE.adapter("utils.data.default_collate")(_default_collate)

_LOADER_KEYWORDS = ("persistent_workers", "prefetch_factor", "pin_memory_device")


def _loader_signature(init: inspect.Signature, pf_default: Any) -> inspect.Signature:
    """torch's ``DataLoader.__init__`` signature plus the keywords ``tc.DataLoader`` accepts everywhere (for
    introspecting callers, e.g. trainers that re-create a loader from its ``__init__`` arguments)."""
    params = [p for p in init.parameters.values() if p.kind != p.VAR_KEYWORD]
    defaults = {"prefetch_factor": pf_default, "persistent_workers": False, "pin_memory_device": ""}
    for name, default in defaults.items():
        if name not in init.parameters:
            params.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default))
    params.extend(p for p in init.parameters.values() if p.kind == p.VAR_KEYWORD)
    return init.replace(parameters=params)


def _make_dataloader(env: Any) -> Any:
    base = env.get("utils.data.DataLoader")
    init = inspect.signature(base.__init__)
    accepted = {kw: kw in init.parameters for kw in _LOADER_KEYWORDS}
    pf_default = init.parameters["prefetch_factor"].default if accepted["prefetch_factor"] else 2
    warn = warnings.warn

    class DataLoader(base):  # type: ignore[misc, valid-type]
        """``torch.utils.data.DataLoader`` taking ``persistent_workers``, ``prefetch_factor`` and
        ``pin_memory_device`` on every release: dropped where this torch lacks them (a warning only when the
        value asked for cannot be honoured), and ``prefetch_factor`` ignored with ``num_workers=0`` (torch
        1.7-1.13 raise unless it is 2, torch >= 2.0 unless it is None: https://github.com/pytorch/pytorch/pull/88972).
        Keywords added in 1.7 (https://github.com/pytorch/pytorch/pull/41130) and 1.12 (``pin_memory_device``).
        Remove when torch >= 2.0 and no caller passes ``prefetch_factor`` without workers."""

        def __init__(self, dataset: Any, *args: Any, **kwargs: Any) -> None:
            workers = args[4] if len(args) > 4 else kwargs.get("num_workers", 0)
            if "persistent_workers" in kwargs and not accepted["persistent_workers"]:
                if kwargs.pop("persistent_workers"):
                    if not workers:
                        raise ValueError("persistent_workers option needs num_workers > 0")
                    warn(
                        "tc.DataLoader: persistent_workers=True needs torch >= 1.7; torch %s restarts the "
                        "workers at every epoch" % env.version,
                        stacklevel=2,
                    )
            if "prefetch_factor" in kwargs:
                factor = kwargs.pop("prefetch_factor")
                if not workers or not accepted["prefetch_factor"]:
                    if factor not in (None, 2):
                        why = "with num_workers=0" if not workers else "by torch %s (2 per worker)" % env.version
                        warn("tc.DataLoader: prefetch_factor=%r is ignored %s" % (factor, why), stacklevel=2)
                else:
                    kwargs["prefetch_factor"] = pf_default if factor is None else factor
            if "pin_memory_device" in kwargs and not accepted["pin_memory_device"]:
                device = kwargs.pop("pin_memory_device")
                pin = args[6] if len(args) > 6 else kwargs.get("pin_memory", False)
                if device and pin and str(device).split(":", 1)[0] != "cuda":
                    warn(
                        "tc.DataLoader: pin_memory_device=%r needs torch >= 1.12; torch %s pins memory for CUDA"
                        % (device, env.version),
                        stacklevel=2,
                    )
            super().__init__(dataset, *args, **kwargs)

    DataLoader.__init__.__signature__ = _loader_signature(init, pf_default)  # type: ignore[attr-defined]
    DataLoader.__module__ = "torchcompat"
    DataLoader.__qualname__ = "DataLoader"
    return DataLoader


@DATA_LOADER_KWARGS.adapter("DataLoader")
def _dataloader(env: Any) -> Resolution:
    if env.get("utils.data.DataLoader") is MISSING:
        return unavailable("1.0", "torch.utils.data.DataLoader is missing")
    if DATA_LOADER_KWARGS.is_native(env):
        note = "a subclass that only ignores prefetch_factor when num_workers=0"
    else:
        note = "a subclass that drops the keywords this torch lacks"
    return backport(env._cached(("torchcompat", "DataLoader"), lambda: _make_dataloader(env)), note)
