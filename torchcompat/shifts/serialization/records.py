"""The serialization records (declarations only, no torch): torch.load weights_only, the zip format, removed
loaders, the safe-globals allowlist."""

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
    kind="meaning",
)

SER_ZIPFILE = shift(
    "ser-zipfile",
    "files written by torch.save on ≥1.6, loaded on <1.6 -> torch.save(..., _use_new_zipfile_serialization=False)",
    old="files written by `torch.save` on ≥1.6, loaded on <1.6",
    new="`torch.save(..., _use_new_zipfile_serialization=False)`",
    added="1.6",
    removed="1.6",
    strategy="codemod",
    notes="removed: 1.6: zip container is the default. Silent change: forward incompatibility only; ScriptModules saved on ≥1.6 (new div semantics) can't be loaded by older torch. How common: ns (M)",
    kind="meaning",
)

SER_LOAD_LUA = shift(
    "ser-load-lua",
    "from torch.utils.serialization import load_lua (Lua .t7 weig -> torchfile.load(...) (third-party)",
    old="`from torch.utils.serialization import load_lua` (Lua .t7 weights)",
    new="`torchfile.load(...)` (third-party)",
    removed="1.0",
    strategy="warn-only",
    notes="removed: 1.0 (ModuleNotFoundError). How common: H (11/12)"
    " No restore (issue #15): `load_lua` built `torch.legacy.nn` modules, also removed in 1.0, so nothing today can return what it returned; read .t7 files with the `torchfile` package.",
    kind="spelling",
)

SER_MODEL_ZOO = shift(
    "ser-model-zoo",
    "torch.utils.model_zoo.load_url(url) -> torch.hub.load_state_dict_from_url(url)",
    old="`torch.utils.model_zoo.load_url(url)`",
    new="`torch.hub.load_state_dict_from_url(url)`",
    added="1.0",
    strategy="alias",
    verified=False,
    notes="deprecated: soft; removed: still present (alias). How common: ns (M)",
    kind="spelling",
)
SER_MODEL_ZOO.moved("torch.utils.model_zoo.load_url", "torch.hub.load_state_dict_from_url", code="TC864", added="1.1")

SER_SAFE_GLOBALS = shift(
    "ser-safe-globals",
    "extending the weights_only allowlist -> torch.serialization.add_safe_globals / safe_globals",
    old="no way to allow a class in `torch.load(weights_only=True)` (1.13-2.3); no weights-only load at all before 1.13",
    new="`torch.serialization.add_safe_globals([...])` (2.4), `torch.serialization.safe_globals([...])` (2.5)",
    added="2.4",
    link="https://github.com/pytorch/pytorch/pull/124331",
    strategy="alias",
    verified=False,
    notes="torchcompat.load consults torch's own allowlist only where it uses torch's own weights-only "
    "unpickler (>= 2.10, see ser-weights-only-sound); below that tc.add_safe_globals feeds the restricted unpickler.",
    kind="spelling",
)

SER_WEIGHTS_ONLY_SOUND = shift(
    "ser-weights-only-sound",
    "torch.load(weights_only=True) could still run code or corrupt memory before 2.6 / 2.10",
    old="`torch.load(f, weights_only=True)` on 1.13-2.5 (CVE-2025-32434, RCE) and 2.6-2.9 (CVE-2026-24747: "
    "SETITEM on non-dicts, storage size mismatch)",
    new="torch >= 2.10, or `torchcompat.load(f)` (restricted unpickler below 2.10)",
    added="2.10",
    link="https://github.com/pytorch/pytorch/security/advisories/GHSA-53q9-r3pm-6pq6",
    strategy="alias",
    verified=False,
    notes="A security fix cannot be probed: the version decides. torchcompat.load uses the native weights-only "
    "unpickler from 2.10 on and its own restricted unpickler (torchcompat.shifts.serialization._unpickler) on 1.0-2.9.",
    kind="meaning",
)

SER_STATE_DICT_PREFIX = shift(
    "ser-state-dict-prefix",
    "state_dicts saved from DataParallel/DDP ('module.') or torch.compile ('_orig_mod.') wrappers",
    old="`model.load_state_dict(torch.load(p))` on a state_dict saved from a wrapper (unexpected keys 'module.x')",
    new="`torch.nn.modules.utils.consume_prefix_in_state_dict_if_present(sd, 'module.')` (1.9), or "
    "`torchcompat.load_state_dict(model, sd)`",
    added="1.9",
    link="https://github.com/pytorch/pytorch/pull/53224",
    strategy="alias",
    verified=False,
    notes="torch.compile's OptimizedModule (2.0) prefixes '_orig_mod.'.",
    kind="meaning",
)
