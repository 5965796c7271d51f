"""torch.utils.data shifts: private helpers, collate, DataLoader keywords, TensorDataset.

Records generated from the shift catalogue; adapters, probes and notes are added beside them."""

from __future__ import annotations

from torchcompat.registry import declare

shift = declare("data")

DATA_PRIVATE_HELPERS = shift(
    "data-private-helpers",
    "from torch.utils.data.dataloader import numpy_type_map, int_ -> local copies / torch.utils.data._utils.collate",
    old="`from torch.utils.data.dataloader import numpy_type_map, int_classes, string_classes, _use_shared_memory`",
    new="local copies / `torch.utils.data._utils.collate`; `str`, `int`",
    added="1.1",
    removed="1.1",
    strategy="legacy-restore",
    notes="added: 1.1 (moved to `_utils`); deprecated: —; removed: 1.1 (ImportError). How common: H (10/12, with the next row)",
)

DATA_ITER_CLASS = shift(
    "data-iter-class",
    "subclassing torch.utils.data.dataloader._DataLoaderIter / Da -> _SingleProcessDataLoaderIter / _MultiProcessingDataLoaderIte",
    old="subclassing `torch.utils.data.dataloader._DataLoaderIter` / `DataLoaderIter`",
    new="`_SingleProcessDataLoaderIter` / `_MultiProcessingDataLoaderIter` (private)",
    added="1.2",
    removed="1.2",
    strategy="legacy-restore",
    verified=False,
    notes="added: 1.2 ?; deprecated: —; removed: 1.2 ? (ImportError/AttributeError). How common: H (see above)",
)

DATA_DEFAULT_COLLATE = shift(
    "data-default-collate",
    "torch.utils.data._utils.collate.default_collate / default_co -> torch.utils.data.default_collate",
    old="`torch.utils.data._utils.collate.default_collate` / `default_convert`",
    new="`torch.utils.data.default_collate`",
    added="1.11",
    strategy="alias",
    notes="added: 1.11; deprecated: — (private); removed: private path still present. How common: ns (L; TorchFix TOR104)",
)

DATA_PREFETCH_NO_WORKERS = shift(
    "data-prefetch-no-workers",
    "DataLoader(..., num_workers=0, prefetch_factor=2) -> prefetch_factor=None when num_workers == 0",
    old="`DataLoader(..., num_workers=0, prefetch_factor=2)`",
    new="`prefetch_factor=None` when `num_workers == 0`",
    added="1.7",
    removed="2.0",
    strategy="codemod",
    notes="added: 1.7 (`prefetch_factor`); deprecated: —; removed: 2.0 (ValueError; the default became None). How common: M (9)",
)

DATA_TENSORDATASET_KWARGS = shift(
    "data-tensordataset-kwargs",
    "TensorDataset(data_tensor=x, target_tensor=y) -> TensorDataset(x, y)",
    old="`TensorDataset(data_tensor=x, target_tensor=y)`",
    new="`TensorDataset(x, y)`",
    added="0.4",
    removed="0.4",
    strategy="legacy-restore",
    notes="added: 0.4.0 (`*tensors`); deprecated: —; removed: 0.4.0 (TypeError: unexpected keyword `data_tensor`). How common: H (3 of 35 real scripts)",
)
