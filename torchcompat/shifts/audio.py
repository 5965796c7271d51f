"""torchaudio shifts, keyed by torchaudio's own releases (``library="torchaudio"``). Catalogue with links:
docs/domain-shifts.md. Records only (reported by rules TC980-TC981): no adapter or restore can be exact."""

from __future__ import annotations

from torchcompat.registry import declare

shift = declare("audio", library="torchaudio")

TA_BACKEND_SWITCH = shift(
    "ta-backend-switch",
    "torchaudio.set_audio_backend / get_audio_backend → backend= per call (dispatcher)",
    old='`torchaudio.set_audio_backend("soundfile")`, `torchaudio.get_audio_backend()`',
    new='`torchaudio.load(path, backend="soundfile")` (2.1 - 2.8); TorchCodec from 2.9',
    added="2.0",
    deprecated="2.1",
    changed="2.2",
    removed="2.9",
    link="https://github.com/pytorch/audio/issues/2950",
    strategy="warn-only",
    notes="2.0 added the I/O dispatcher (opt-in), 2.1 made it the default and deprecated the global backend, "
    "2.2 made set/get_audio_backend no-ops (pytorch/audio#2950). Measured on the wheels: present in 0.8.1 and "
    "2.8.0, absent from 2.9.1. Deleting the call keeps the 2.2+ behaviour. How common: M",
    kind="spelling",
)

TA_LEGACY = shift(
    "ta-legacy",
    "torchaudio.legacy.load / save → torchaudio.load / save (channels_first=False)",
    old="`torchaudio.legacy.load(path)`, `torchaudio.legacy.save(path, x, rate)`",
    new="`torchaudio.load(path)` (channels first: transpose the result)",
    removed="0.3",
    link="https://github.com/pytorch/audio/pull/194",
    strategy="warn-only",
    notes="torchaudio.legacy wrapped load/save with channels_first=False (pytorch/audio#194 removed it for "
    "0.3.0, August 2019). Its load signature no longer exists, so there is nothing exact to restore. How common: L",
    kind="spelling",
)
