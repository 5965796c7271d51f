"""pytest plugin (entry point ``pytest11``): the ``torch_version`` marker, fixture and report header.

Loaded automatically wherever torchcompat is installed (disable with ``-p no:torchcompat``)::

    @pytest.mark.torch_version(">=1.9")          # skipped on 1.8: "requires torch >=1.9; running 1.8.1"
    def test_new_api(): ...

    @pytest.mark.torch_version(">=1.8,<2.0")     # several specifiers, or several markers: all must hold
    def test_deprecated_api(): ...

    def test_something(torch_version):           # the running torch's version
        if torch_version.at_least("2.1"): ...

A pre-release, nightly, vendor or distro build counts as its release: ``1.9.0.dev20210601``,
``1.9.0a0+git`` and ``1.9.0+cu111`` all satisfy ``>=1.9`` and fail ``<1.9``. A bare version
(``torch_version("1.9")``) means ``>=1.9``. torch is imported only when a marked test, the fixture or the
report header needs it; without torch, marked tests and the fixture skip, and the header says so.
"""

from __future__ import annotations

import importlib
import re
import sys
from typing import Any, Dict, List, Optional, Union

import pytest
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from torchcompat._release import base, parse

__all__ = ["TorchVersion", "satisfies", "skip_reason", "torch_version"]

_MARKER = "torch_version"
_BARE = re.compile(r"^\s*v?\d+(\.\d+)*\s*$")


class TorchVersion(Version):
    """The running torch's version (a ``packaging`` Version, local label included: ``2.13.0+cpu``) with
    release-based helpers, so that a nightly or vendor build counts as its release."""

    @property
    def base(self) -> Version:
        """The release without pre/dev/local parts: ``1.9.0.dev20210601`` -> ``1.9.0``."""
        return base(self)

    def at_least(self, minimum: Union[str, Version]) -> bool:
        """``torchcompat.version.at_least`` semantics: ``TorchVersion("2.1.0a0+git").at_least("2.1")``."""
        return self.base >= base(minimum)

    def satisfies(self, spec: Union[str, SpecifierSet]) -> bool:
        """True when this release satisfies a specifier such as ``">=1.8,<2.0"`` (see the module doc)."""
        return satisfies(self, spec)


def _specifier(spec: Union[str, SpecifierSet]) -> SpecifierSet:
    if isinstance(spec, SpecifierSet):
        return spec
    text = str(spec).strip()
    if _BARE.match(text):
        text = ">=" + text.lstrip("v")
    return SpecifierSet(text)


def satisfies(version: Union[str, Version], spec: Union[str, SpecifierSet]) -> bool:
    """Whether the release of ``version`` (pre/dev/local parts dropped) satisfies ``spec``."""
    return _specifier(spec).contains(base(version), prereleases=True)


def skip_reason(version: Union[str, Version, None], specs: List[str]) -> Optional[str]:
    """Why a test marked ``torch_version(*specs)`` must skip on ``version`` (None: torch missing), or None."""
    wanted = ",".join(str(s).strip() for s in specs)
    if version is None:
        return "requires torch %s; torch is not installed" % wanted
    failing = [s for s in specs if not satisfies(version, s)]
    if not failing:
        return None
    running = parse(version, warn=False)
    plain = running.pre is None and running.dev is None and running.post is None  # "+cpu" alone: no note
    shown = str(running) if plain else "%s (counts as %s)" % (running, base(running))
    return "requires torch %s; running %s" % (",".join(str(s).strip() for s in failing), shown)


_state: Dict[str, Any] = {}


def _running() -> Any:
    """(TorchVersion or None, build text or the import error), imported once on first need."""
    if "version" not in _state:
        try:
            import torch  # noqa: F401  (torchcompat.version reads it)

            tv = importlib.import_module("torchcompat.version")
        except ImportError as exc:
            _state["version"], _state["detail"] = None, "not installed (%s)" % exc
        except Exception as exc:  # a broken install: report it, do not break pytest
            _state["version"], _state["detail"] = None, "import failed: %s: %s" % (type(exc).__name__, exc)
        else:
            _state["version"] = TorchVersion(str(tv.TORCH_VERSION))
            _state["detail"] = str(tv.BUILD)
    return _state["version"], _state["detail"]


def pytest_configure(config: Any) -> None:
    # Import torch before any test module: torch 1.x pickles dtypes by searching sys.modules in order
    # for a module whose ``torch.float32`` is the dtype, and a test module that imported torch first
    # would be found instead of torch itself (torch.save would then fail or write the wrong name).
    try:
        import torch  # noqa: F401
    except Exception:  # no torch, or a broken one: the header and markers report it
        pass
    config.addinivalue_line(
        "markers",
        "torch_version(*specs): skip unless the running torch release satisfies every specifier, e.g. '>=1.9' "
        "(a nightly/pre-release counts as its release; a bare '1.9' means '>=1.9')",
    )


def pytest_report_header(config: Any) -> str:
    version, detail = _running()
    if version is None:
        return "torch: %s" % detail
    return "torch: %s (%s), Python %s, torchcompat %s" % (
        version,
        detail,
        ".".join(str(v) for v in sys.version_info[:3]),
        _torchcompat_version(),
    )


def _torchcompat_version() -> str:
    import torchcompat

    return getattr(torchcompat, "__version__", "?")


def _marker_specs(item: Any) -> Optional[List[str]]:
    """The specifiers of all torch_version markers of ``item`` (None: unmarked); raises ValueError if invalid."""
    markers = list(item.iter_markers(name=_MARKER))
    if not markers:
        return None
    specs: List[str] = []
    for mark in markers:
        if not mark.args:
            raise ValueError("%s: torch_version needs a specifier, e.g. '>=1.9'" % item.nodeid)
        for spec in mark.args:
            try:
                _specifier(spec)
            except InvalidSpecifier as exc:
                raise ValueError("%s: invalid torch_version specifier %r: %s" % (item.nodeid, spec, exc))
            specs.append(str(spec))
    return specs


def pytest_collection_modifyitems(config: Any, items: List[Any]) -> None:
    # A skip mark (rather than pytest.skip() at setup) makes `-rs` name the test's file and line.
    for item in items:
        try:
            specs = _marker_specs(item)
        except ValueError:
            continue  # reported as an error by pytest_runtest_setup
        if specs is not None:
            reason = skip_reason(_running()[0], specs)
            if reason is not None:
                item.add_marker(pytest.mark.skip(reason=reason))


def pytest_runtest_setup(item: Any) -> None:
    try:
        _marker_specs(item)
    except ValueError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def torch_version() -> TorchVersion:
    """The running torch's version as a :class:`TorchVersion`; skips the test when torch is not installed."""
    version, detail = _running()
    if version is None:
        pytest.skip("torch %s" % detail)
    return version
