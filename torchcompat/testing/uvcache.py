"""Keep a shared uv cache within the disk: evict one release's wheels after its matrix session.

The matrix's uv cache holds every torch it installed, unpacked: 1-2.5 GB each, ~60 GB for 30 releases plus
their CUDA packages, more than many disks have to spare. Evicting only the release just tested (rather than
``uv cache clean torch``, every version at once) keeps the cache as full as the disk allows, so the next
run downloads only what did not fit. The noxfile calls these; your own noxfile can too. Never imports torch.
"""

from __future__ import annotations

import glob
import os
import shutil
from typing import Dict, Iterable

__all__ = ["installed_versions", "evict"]


def installed_versions(venv: str, names: Iterable[str]) -> Dict[str, str]:
    """The versions of the distributions ``names`` installed in ``venv``, read from their .dist-info folders
    (absent names are left out)."""
    found = {}
    for name in names:
        pattern = os.path.join(venv, "lib", "python*", "site-packages", name + "-*.dist-info")
        for info in glob.glob(pattern):
            found[name] = os.path.basename(info)[len(name) + 1 : -len(".dist-info")]
    return found


def evict(cache: str, name: str, version: str) -> bool:
    """Remove one wheel version from the uv cache at ``cache``: the entry ``wheels-v*/pypi/NAME/VERSION-<tags>``
    (a link into ``archive-v*/``), its unpacked archive and its metadata files. False where no such entry
    exists (gone already, or a cache layout other than uv 0.4-0.13's): the caller then falls back to
    ``uv cache clean NAME``."""
    done = False
    for entry in glob.glob(os.path.join(cache, "wheels-v*", "pypi", name, version + "-*")):
        if not os.path.islink(entry):
            continue  # the .http / .lock / .msgpack files go with their entry below
        target = os.path.realpath(entry)
        if os.path.basename(os.path.dirname(target)).startswith("archive-v") and os.path.isdir(target):
            shutil.rmtree(target, ignore_errors=True)
        for path in [entry] + [entry + ext for ext in (".http", ".msgpack", ".lock")]:
            if os.path.lexists(path):
                os.remove(path)
        done = True
    return done
