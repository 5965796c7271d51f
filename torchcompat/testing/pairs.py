"""Which torchvision and torchaudio go with each torch minor release 1.0 ... 2.15, as data.

One row per torch minor (keyed like :data:`torchcompat.testing.matrix.RELEASES`): the torchvision and
torchaudio releases made for it (the newest patch, the pair the matrix installs), the Python the pair was
measured on, and what else was seen. ``measured=True`` rows (all 30, 2026-12-04) were installed from PyPI into a bare uv
venv on Linux x86_64 and checked by ``import torch, torchvision, torchaudio``, ``torchvision.ops.nms`` and a transform
on CPU tensors and a torchaudio ``Spectrogram`` (see ``docs/matrix.md``); a row marked False would come from the
libraries' release notes only. ``torchcompat doctor`` reads this table. Never imports torch,
and needs nothing outside the standard library (the doctor runs it where ``packaging`` may be missing).
"""

from __future__ import annotations

import re
from typing import Dict, List, NamedTuple, Optional, Tuple

__all__ = ["Pair", "PAIRS", "pair", "requirements", "release_tuple", "accepts", "torch_for"]


class Pair(NamedTuple):
    """The domain libraries made for one torch minor release."""

    #: the torchvision release for the matrix's torch patch ("0.9.1")
    torchvision: str
    #: the torchaudio release, or None where PyPI has none for this torch
    torchaudio: Optional[str]
    #: the Python the pair was measured on (the matrix's Python for the release, or 3.11 where noted)
    python: str
    #: what else is worth knowing: builds on PyPI, pins a bare venv needs
    notes: str
    #: True: installed and exercised here; False: from the release notes, not measured
    measured: bool
    #: torchvision versions made for this torch minor: prefixes ("0.9" = any 0.9.x, "0.4.0" = that patch)
    torchvision_ok: Tuple[str, ...] = ()
    #: torchaudio versions made for this torch minor (prefixes, as above)
    torchaudio_ok: Tuple[str, ...] = ()
    #: what a bare venv needs beside the pair (PEP 508), e.g. ``pillow<7`` for torchvision 0.2-0.4
    extras: Tuple[str, ...] = ()


_CUDA = "PyPI's torch bundles CUDA in the wheel; torchvision's wheel is built for the same CUDA"
_PKGS = "PyPI's torch pulls nvidia-* packages; torchvision and torchaudio are CUDA builds too (no CPU build on PyPI)"
_PILLOW = "torchvision imports PIL.PILLOW_VERSION, removed in Pillow 7: needs pillow<7"
_PIL_ONLY = "transforms take PIL images only (tensors from torchvision 0.8)"
_TA_211 = "no torchaudio for this torch: 2.11.1 (py3 wheel, torch>=2.11) imports and runs beside it"


def _p(
    tv: str, ta: Optional[str], py: str, notes: str, measured: bool, tv_ok: str = "", ta_ok: str = "", extras: str = ""
) -> Pair:
    tv_default = ".".join(tv.split(".")[:2])
    ta_default = ".".join(ta.split(".")[:2]) if ta else ""
    return Pair(
        tv,
        ta,
        py,
        notes,
        measured,
        tuple(tv_ok.split()) if tv_ok else (tv_default,),
        tuple(ta_ok.split()) if ta_ok else ((ta_default,) if ta else ()),
        tuple(extras.split()),
    )


#: torch minor -> its pair, measured 2026-12-04 (docs/matrix.md, "torchvision and torchaudio").
PAIRS: Dict[str, Pair] = {
    "1.0": _p("0.2.2.post3", None, "3.7", "torchvision 0.2.2 is pure Python: no torchvision.ops; " + _PIL_ONLY
              + "; " + _PILLOW + "; no torchaudio on PyPI before 0.3.0 (torch 1.2)", True, "0.2", extras="pillow<7"),
    "1.1": _p("0.3.0", None, "3.7", _CUDA + "; " + _PIL_ONLY + "; " + _PILLOW, True, extras="pillow<7"),
    "1.2": _p("0.4.0", "0.3.0", "3.7", _CUDA + "; " + _PIL_ONLY + "; " + _PILLOW, True, "0.4.0", "0.3.0", "pillow<7"),
    "1.3": _p("0.4.2", "0.3.2", "3.7", _CUDA + "; " + _PIL_ONLY + "; " + _PILLOW, True, "0.4.1 0.4.2", "0.3.1 0.3.2",
              "pillow<7"),
    "1.4": _p("0.5.0", "0.4.0", "3.8", _CUDA + "; " + _PIL_ONLY, True),
    "1.5": _p("0.6.1", "0.5.1", "3.8", _CUDA + "; " + _PIL_ONLY, True),
    "1.6": _p("0.7.0", "0.6.0", "3.8", _CUDA + "; " + _PIL_ONLY, True),
    "1.7": _p("0.8.2", "0.7.2", "3.8", _CUDA, True, "0.8", "0.7"),
    "1.8": _p("0.9.1", "0.8.1", "3.9", _CUDA, True),
    "1.9": _p("0.10.1", "0.9.1", "3.9", _CUDA, True),
    "1.10": _p("0.11.3", "0.10.2", "3.9", _CUDA, True),
    "1.11": _p("0.12.0", "0.11.0", "3.10", _CUDA, True),
    "1.12": _p("0.13.1", "0.12.1", "3.10", _CUDA, True),
    "1.13": _p("0.14.1", "0.13.1", "3.10", _PKGS + "; torchvision 0.14.1 has no cp311 wheel: Python 3.10", True),
    "2.0": _p("0.15.2", "2.0.2", "3.11", _PKGS, True),
    "2.1": _p("0.16.2", "2.1.2", "3.11", _PKGS, True),
    "2.2": _p("0.17.2", "2.2.2", "3.12", _PKGS, True),
    "2.3": _p("0.18.1", "2.3.1", "3.12", _PKGS, True),
    "2.4": _p("0.19.1", "2.4.1", "3.12", _PKGS, True),
    "2.5": _p("0.20.1", "2.5.1", "3.12", _PKGS, True),
    "2.6": _p("0.21.0", "2.6.0", "3.13", _PKGS, True),
    "2.7": _p("0.22.1", "2.7.1", "3.13", _PKGS, True),
    "2.8": _p("0.23.0", "2.8.0", "3.13", _PKGS, True),
    "2.9": _p("0.24.1", "2.9.1", "3.13", _PKGS, True),
    "2.10": _p("0.25.0", "2.10.0", "3.13", _PKGS, True),
    "2.11": _p("0.26.0", "2.11.0", "3.13", _PKGS, True, "", "2.11.0"),
    "2.12": _p("0.27.1", "2.11.0", "3.13", _PKGS + "; no torchaudio for this torch: 2.11.0 (installed with --no-deps) "
               "imports and runs beside it, 2.11.1 does not load (undefined symbol "
               "torch_exception_get_what_without_backtrace)", True, "", "2.11.0"),
    "2.13": _p("0.28.0", "2.11.1", "3.11", _PKGS + "; " + _TA_211, True, "", "2.11.1"),
    "2.14": _p("0.29.1", "2.11.1", "3.11", _PKGS + "; " + _TA_211, True, "0.29.0 0.29.1", "2.11.1"),
    "2.15": _p("0.29.2", "2.11.1", "3.13", _PKGS + "; torchvision 0.29.2 (py3 wheel, torch>=2.14) came with 2.15.0; "
               + _TA_211, True, "0.29.2", "2.11.1"),
}  # fmt: skip

_LEADING = re.compile(r"^\s*v?(\d+(?:\.\d+)*)")


def release_tuple(version: str) -> Tuple[int, ...]:
    """The leading release numbers of any version text: ``"1.13.0a0+git"`` -> ``(1, 13, 0)``; ``()`` if none."""
    match = _LEADING.match(version or "")
    return tuple(int(part) for part in match.group(1).split(".")) if match else ()


def _minor(version: str) -> str:
    return ".".join(str(part) for part in release_tuple(version)[:2])


def pair(torch_version: str) -> Optional[Pair]:
    """The pair for a torch version ("1.8.1+cu102", "1.8"), or None when the table has no such minor."""
    return PAIRS.get(_minor(torch_version))


def requirements(torch_version: str) -> List[str]:
    """What to install beside ``torch==...`` for the pair of ``torch_version``: ``torchvision==``,
    ``torchaudio==`` (where PyPI has one) and the row's extras; KeyError for a minor not in the table."""
    row = PAIRS[".".join(str(part) for part in release_tuple(torch_version)[:2])]
    reqs = ["torchvision==" + row.torchvision] + (["torchaudio==" + row.torchaudio] if row.torchaudio else [])
    return reqs + list(row.extras)


def accepts(prefixes: Tuple[str, ...], version: str) -> bool:
    """True when ``version`` ("0.9.1+cu102") starts with one of ``prefixes`` (release numbers compared)."""
    found = release_tuple(version)
    for prefix in prefixes:
        want = release_tuple(prefix)
        if want and found[: len(want)] == want:
            return True
    return False


def torch_for(library: str, version: str) -> List[str]:
    """The torch minors a torchvision or torchaudio ``version`` was made for (``library`` is the name)."""
    field = "torchvision_ok" if library == "torchvision" else "torchaudio_ok"
    return [minor for minor, row in PAIRS.items() if accepts(getattr(row, field), version)]
