"""Serialization shifts: torch.load weights_only, the zip format, removed loaders.

Records generated from the shift catalogue; adapters, probes and notes are added beside them."""

from __future__ import annotations

from torchcompat.registry import declare

shift = declare("serialization")

SER_WEIGHTS_ONLY = shift(
    "ser-weights-only",
    "torch.load(path) on checkpoints holding non-tensor objects ( -> torch.load(path, weights_only=False) for trusted files, or t",
    old="`torch.load(path)` on checkpoints holding non-tensor objects (argparse Namespace, numpy scalars, custom classes)",
    new="`torch.load(path, weights_only=False)` for trusted files, or `torch.serialization.add_safe_globals([...])` / the `safe_globals` context manager; env `TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1`",
    added="1.13",
    deprecated="2.4",
    removed="2.6",
    strategy="codemod",
    notes='added: 1.13 (`weights_only`); 2.4 (`add_safe_globals`); deprecated: 2.4 (FutureWarning); removed: 2.6: default flipped to True (UnpicklingError "Weights only load failed"). Silent change: — (loud). How common: VH (11/12)',
)

SER_ZIPFILE = shift(
    "ser-zipfile",
    "files written by torch.save on ≥1.6, loaded on <1.6 -> torch.save(..., _use_new_zipfile_serialization=False)",
    old="files written by `torch.save` on ≥1.6, loaded on <1.6",
    new="`torch.save(..., _use_new_zipfile_serialization=False)`",
    added="1.6",
    removed="1.6",
    strategy="codemod",
    notes="added: 1.6; deprecated: —; removed: 1.6: zip container is the default. Silent change: forward incompatibility only; ScriptModules saved on ≥1.6 (new div semantics) can't be loaded by older torch. How common: ns (M)",
)

SER_LOAD_LUA = shift(
    "ser-load-lua",
    "from torch.utils.serialization import load_lua (Lua .t7 weig -> torchfile.load(...) (third-party)",
    old="`from torch.utils.serialization import load_lua` (Lua .t7 weights)",
    new="`torchfile.load(...)` (third-party)",
    removed="1.0",
    strategy="legacy-restore",
    notes="added: —; deprecated: —; removed: 1.0 (ModuleNotFoundError). How common: H (11/12)",
)

SER_MODEL_ZOO = shift(
    "ser-model-zoo",
    "torch.utils.model_zoo.load_url(url) -> torch.hub.load_state_dict_from_url(url)",
    old="`torch.utils.model_zoo.load_url(url)`",
    new="`torch.hub.load_state_dict_from_url(url)`",
    added="1.0",
    strategy="alias",
    verified=False,
    notes="added: 1.0 ?; deprecated: soft; removed: still present (alias). How common: ns (M)",
)
