"""Pure version parsing, with no torch import: shared by ``torchcompat.version`` and the migration tool."""

from __future__ import annotations

import re
import warnings
from typing import Tuple, Union

from packaging.version import InvalidVersion, Version

__all__ = ["parse", "release", "base", "FALLBACK"]

#: What an unreadable version string is taken to be: the oldest behaviour, so that
#: version-only decisions err on the old side while capability probes still decide the rest.
FALLBACK = Version("0.0.0")

# Leading "1.13.1" of anything ("1.13.1-1ubuntu2", "v2.3.0~rc1", "2.1.0a0+git32f93b1" ...).
_LEADING = re.compile(r"^\s*[vV]?([0-9]+(?:\.[0-9]+){0,3})")  # ASCII digits only: Version() rejects others
# Debian/RPM package decorations that PEP 440 cannot read.
_DISTRO_SUFFIX = re.compile(r"[~_].*$")


def parse(text: object, *, warn: bool = True) -> Version:
    """Parse any ``torch.__version__`` seen in the wild into a ``packaging`` Version; never raises.

    Releases, ``.postN``, ``.devYYYYMMDD`` nightlies, ``a0+git`` vendor builds, ``+cu121``/``+cpu``
    local labels and distro builds parse as PEP 440. Anything else keeps its leading numbers
    (``2.3.0~rc1`` -> 2.3.0) or, with none, becomes :data:`FALLBACK`, with a warning either way.
    """
    if isinstance(text, Version):
        return text
    raw = text if isinstance(text, str) else str(getattr(text, "__str__", lambda: "")())
    stripped = raw.strip()
    try:
        return Version(stripped)
    except (InvalidVersion, TypeError):
        pass
    try:
        # "2.3.0~rc1" / "1.13.1_2" -> "2.3.0"; keep a valid local label after "+".
        head, sep, local = stripped.partition("+")
        candidate = _DISTRO_SUFFIX.sub("", head) + (sep + re.sub(r"[^A-Za-z0-9.]", ".", local) if sep else "")
        version = Version(candidate.strip("."))
    except (InvalidVersion, TypeError):
        match = _LEADING.match(stripped)
        try:
            version = Version(match.group(1)) if match else FALLBACK
        except InvalidVersion:  # pragma: no cover - defensive: the pattern only admits PEP 440 digits
            version = FALLBACK
    if warn:
        warnings.warn(
            "torchcompat: cannot read torch version %r as PEP 440; treating it as %s. "
            "Capability probes still decide every shift they can." % (raw, version),
            RuntimeWarning,
            stacklevel=2,
        )
    return version


def release(version: Union[str, Version], width: int = 3) -> Tuple[int, ...]:
    """The release numbers of a version as an int tuple padded to ``width`` (``"2.1.0a0+x"`` -> (2, 1, 0))."""
    parts = tuple(parse(version).release[:width])
    return parts + (0,) * (width - len(parts))


def base(version: Union[str, Version]) -> Version:
    """The version with pre-release, dev and local parts dropped: a 1.9 nightly counts as 1.9."""
    return Version(parse(version).base_version)
