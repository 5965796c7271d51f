"""Pure version parsing, with no torch import: shared by ``torchcompat.version`` and the migration tool."""

from __future__ import annotations

import re
import warnings
from typing import Optional, Tuple, Union

from packaging.version import Version

__all__ = ["parse", "release", "base", "FALLBACK", "MAX_DIGITS"]

#: What an unreadable version string is taken to be: the oldest behaviour, so that
#: version-only decisions err on the old side while capability probes still decide the rest.
FALLBACK = Version("0.0.0")

#: The longest run of digits read as a number. Real versions have at most 14 (a ``.devYYYYMMDDhhmm``
#: date; a 64-hex hash can be all digits); a longer run is unreadable, whatever the interpreter's
#: int-conversion limit (``sys.set_int_max_str_digits``: 4300 by default, 640 at least) says.
MAX_DIGITS = 100

# Leading "1.13.1" of anything ("1.13.1-1ubuntu2", "v2.3.0~rc1", "2.1.0a0+git32f93b1" ...), each number at
# most MAX_DIGITS long ("1.2.<200 digits>" keeps "1.2"). ASCII digits only: Version() rejects others.
_NUMBER = r"[0-9]{1,%d}(?![0-9])" % MAX_DIGITS
_LEADING = re.compile(r"^\s*[vV]?(%s(?:\.%s){0,3})" % (_NUMBER, _NUMBER))
_LONG_RUN = re.compile(r"[0-9]{%d}" % (MAX_DIGITS + 1))
# Debian/RPM package decorations that PEP 440 cannot read.
_DISTRO_SUFFIX = re.compile(r"[~_].*$")


def _text_of(text: object) -> Optional[str]:
    """``str(text)`` as a plain str, or None when the object cannot be printed (its ``__str__`` raises)."""
    try:
        raw = text if isinstance(text, str) else str(text)
        return str.__str__(raw)  # a str subclass's own strip/repr never run
    except Exception:  # the object's __str__ (or __class__) raised: an unknown version
        return None


def _describe(raw: Optional[str], text: object) -> str:
    if raw is None:
        try:
            name = type(text).__name__
        except Exception:  # pragma: no cover - defensive: a metaclass with a raising __name__
            name = "object"
        return "<unprintable %s object>" % name
    return repr(raw if len(raw) <= 80 else raw[:60] + "... (%d characters)" % len(raw))


def parse(text: object, *, warn: bool = True) -> Version:
    """Parse any ``torch.__version__`` seen in the wild into a ``packaging`` Version; never raises.

    Releases, ``.postN``, ``.devYYYYMMDD`` nightlies, ``a0+git`` vendor builds, ``+cu121``/``+cpu``
    local labels and distro builds parse as PEP 440. Anything else keeps its leading numbers
    (``2.3.0~rc1`` -> 2.3.0) or, with none, becomes :data:`FALLBACK`, with a warning either way.
    A number longer than :data:`MAX_DIGITS` digits is unreadable (``"1.2.<200 digits>"`` -> 1.2,
    ``"<4301 digits>"`` -> FALLBACK), and an object whose ``__str__`` raises parses as FALLBACK.
    Exceptions that are not ``Exception`` (KeyboardInterrupt, SystemExit) still propagate.
    """
    if type(text) is str:  # the common case first
        raw: Optional[str] = text
    else:
        try:
            if isinstance(text, Version):
                return text
        except Exception:  # an object whose __class__ raises
            pass
        raw = _text_of(text)
    if raw is None:
        version = FALLBACK
    else:
        stripped = raw.strip()
        # A string no longer than MAX_DIGITS cannot hold an over-long number: the common case pays one len().
        if len(stripped) <= MAX_DIGITS or not _LONG_RUN.search(stripped):
            try:
                return Version(stripped)
            except (ValueError, TypeError):  # InvalidVersion is a ValueError
                pass
        version = _salvage(stripped)
    if warn:
        warnings.warn(
            "torchcompat: cannot read torch version %s as PEP 440; treating it as %s. "
            "Capability probes still decide every shift they can." % (_describe(raw, text), version),
            RuntimeWarning,
            stacklevel=2,
        )
    return version


def _salvage(stripped: str) -> Version:
    """What a string that is not PEP 440 (or holds an over-long number) is read as."""
    # "2.3.0~rc1" / "1.13.1_2" -> "2.3.0"; keep a valid local label after "+".
    head, sep, local = stripped.partition("+")
    candidate = (_DISTRO_SUFFIX.sub("", head) + (sep + re.sub(r"[^A-Za-z0-9.]", ".", local) if sep else "")).strip(".")
    if not _LONG_RUN.search(candidate):
        try:
            return Version(candidate)
        except (ValueError, TypeError):
            pass
    match = _LEADING.match(stripped)
    try:
        return Version(match.group(1)) if match else FALLBACK
    except (ValueError, TypeError):  # pragma: no cover - defensive: the pattern only admits short PEP 440 numbers
        return FALLBACK


def release(version: Union[str, Version], width: int = 3) -> Tuple[int, ...]:
    """The release numbers of a version as an int tuple padded to ``width`` (``"2.1.0a0+x"`` -> (2, 1, 0))."""
    parts = tuple(parse(version).release[:width])
    return parts + (0,) * (width - len(parts))


def base(version: Union[str, Version]) -> Version:
    """The version with pre-release, dev and local parts dropped: a 1.9 nightly counts as 1.9; never raises."""
    parsed = parse(version)
    try:
        return Version(parsed.base_version)
    except ValueError:  # a Version object built while the int-conversion limit was off holds a huge number
        return FALLBACK
