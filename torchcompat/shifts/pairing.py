"""Which torchvision / torchaudio / torchtext release pairs with each torch minor (the libraries' own tables).

Records of the domain libraries are keyed by *their* versions (``declare("vision", library="torchvision")``);
``torchcompat migrate --target-version 2.13`` derives the paired releases from this table unless
``--target torchvision=0.13`` names one. Sources: the compatibility tables in the libraries' READMEs
(https://github.com/pytorch/vision#installation, https://pytorch.org/audio/main/installation.html,
https://github.com/pytorch/text#installation). The measured table (installed and imported pairs, patches, builds)
is ``torchcompat.testing.pairs``, a consumer layer this module may not import; tests/test_domain_shifts.py checks
that the two agree on every torch minor. No torch import."""

from __future__ import annotations

from typing import Dict, Optional, Tuple

from torchcompat._release import parse

__all__ = ["LIBRARIES", "PAIRS", "paired", "torch_for"]

#: The libraries whose records the registry may hold, besides torch.
LIBRARIES = ("torchvision", "torchaudio", "torchtext")

#: torch minor -> {library: release}; a library missing from a row had no release for that torch.
PAIRS: Dict[str, Dict[str, str]] = {
    "1.0": {"torchvision": "0.2"},  # 1.0.0 <-> 0.2.1, 1.0.1 <-> 0.2.2
    "1.1": {"torchvision": "0.3"},
    "1.2": {"torchvision": "0.4", "torchaudio": "0.3", "torchtext": "0.4"},
    "1.3": {"torchvision": "0.4", "torchaudio": "0.3", "torchtext": "0.4"},  # 0.4.1 / 0.3.1
    "1.4": {"torchvision": "0.5", "torchaudio": "0.4", "torchtext": "0.5"},
    "1.5": {"torchvision": "0.6", "torchaudio": "0.5", "torchtext": "0.6"},
    "1.6": {"torchvision": "0.7", "torchaudio": "0.6", "torchtext": "0.7"},
    "1.7": {"torchvision": "0.8", "torchaudio": "0.7", "torchtext": "0.8"},
    "1.8": {"torchvision": "0.9", "torchaudio": "0.8", "torchtext": "0.9"},
    "1.9": {"torchvision": "0.10", "torchaudio": "0.9", "torchtext": "0.10"},
    "1.10": {"torchvision": "0.11", "torchaudio": "0.10", "torchtext": "0.11"},
    "1.11": {"torchvision": "0.12", "torchaudio": "0.11", "torchtext": "0.12"},
    "1.12": {"torchvision": "0.13", "torchaudio": "0.12", "torchtext": "0.13"},
    "1.13": {"torchvision": "0.14", "torchaudio": "0.13", "torchtext": "0.14"},
    "2.0": {"torchvision": "0.15", "torchaudio": "2.0", "torchtext": "0.15"},
    "2.1": {"torchvision": "0.16", "torchaudio": "2.1", "torchtext": "0.16"},
    "2.2": {"torchvision": "0.17", "torchaudio": "2.2", "torchtext": "0.17"},
    "2.3": {"torchvision": "0.18", "torchaudio": "2.3", "torchtext": "0.18"},  # torchtext's last release
}
for _minor in range(4, 15):  # 2.4 ... 2.14: torchvision 0.(15 + minor), torchaudio follows torch's number to 2.11
    PAIRS["2.%d" % _minor] = {"torchvision": "0.%d" % (15 + _minor), "torchaudio": "2.%d" % min(_minor, 11)}
# torchaudio's last release is 2.11.1 (a py3-none wheel, torch>=2.11, used beside torch 2.12 - 2.15); torchvision
# 0.29.2 (torch>=2.14) is the one for torch 2.15 (PyPI's file list, /work/notes/pairs.md; torchcompat.testing.pairs).
PAIRS["2.15"] = {"torchvision": "0.29", "torchaudio": "2.11"}


def _minor(version: str) -> Tuple[int, int]:
    release = parse(version, warn=False).release
    return (release + (0, 0))[0], (release + (0, 0))[1]


def paired(library: str, torch_version: str) -> Optional[str]:
    """The ``library`` release paired with ``torch_version`` (``paired("torchvision", "2.13")`` -> ``"0.28"``);
    for ``"torch"`` the version itself; None when the library had no release for that torch. A torch newer
    than the table pairs with the table's newest release."""
    if library == "torch":
        return torch_version
    if library not in LIBRARIES:
        raise ValueError("unknown library %r: one of torch, %s" % (library, ", ".join(LIBRARIES)))
    key = "%d.%d" % _minor(torch_version)
    row = PAIRS.get(key)
    if row is None:
        newest = max(PAIRS, key=_minor)
        if _minor(torch_version) > _minor(newest):
            row = PAIRS[newest]
        else:
            return None
    return row.get(library)


def torch_for(library: str, version: str) -> Optional[str]:
    """The oldest torch minor that pairs with ``library`` ``version`` or newer (the inverse of :func:`paired`)."""
    if library == "torch":
        return version
    want = _minor(version)
    for key in sorted(PAIRS, key=_minor):
        found = PAIRS[key].get(library)
        if found is not None and _minor(found) >= want:
            return key
    return None
