"""The pytest plugin (``torchcompat.testing.pytest_plugin``): torch_version marker, fixture, report header.

Inner pytest runs use pytester; the runs with an *emulated* torch module (a nightly 1.9, or torch missing)
run in a subprocess whose working directory holds a fake ``torch`` package that shadows the real one.
"""

from __future__ import annotations

import textwrap

import pytest
import torch
from packaging.version import Version

from torchcompat.testing import pytest_plugin as plugin

pytest_plugins = ["pytester"]

RUNNING = Version(torch.__version__)
RELEASE = Version(RUNNING.base_version)
NEXT_MAJOR = "%d.0" % (RELEASE.major + 1)


@pytest.mark.parametrize(
    "version, spec, expected",
    [
        ("1.9.0", ">=1.9", True),
        ("1.8.1", ">=1.9", False),
        ("1.9.0.dev20210601", ">=1.9", True),  # a 1.9 nightly counts as 1.9
        ("1.9.0.dev20210601", "<1.9", False),
        ("2.1.0a0+git32f93b1", ">=2.1", True),  # vendor build
        ("1.13.0a0", "==1.13.*", True),  # Debian's python3-torch 1.13.1
        ("2.13.0+cpu", ">=2.0,<2.14", True),
        ("2.14.1", ">=2.0,<2.14", False),
        ("1.9.1", "1.9", True),  # a bare version means >=
        ("1.8.1", "1.9", False),
        ("2.0.0rc3", "<2.0", False),
    ],
)
def test_satisfies_uses_the_release(version: str, spec: str, expected: bool) -> None:
    assert plugin.satisfies(version, spec) is expected
    assert plugin.TorchVersion(version).satisfies(spec) is expected


def test_skip_reason_names_the_running_release() -> None:
    assert plugin.skip_reason("1.9.1", [">=1.9"]) is None
    assert plugin.skip_reason("1.8.1", [">=1.9"]) == "requires torch >=1.9; running 1.8.1"
    assert plugin.skip_reason("1.9.0.dev20210601", ["<1.9"]) == (
        "requires torch <1.9; running 1.9.0.dev20210601 (counts as 1.9.0)"
    )
    # several specifiers: only the failing ones are named
    assert plugin.skip_reason("2.3.1", [">=2.0", "<2.3"]) == "requires torch <2.3; running 2.3.1"
    assert plugin.skip_reason(None, [">=1.0"]) == "requires torch >=1.0; torch is not installed"


def test_torch_version_helpers() -> None:
    v = plugin.TorchVersion("2.1.0a0+git32f93b1")
    assert v.base == Version("2.1.0")
    assert v.at_least("2.1") and not v.at_least("2.2")
    assert v < Version("2.1.0")  # it is still a packaging Version: ordering is PEP 440's
    from torchcompat.version import at_least

    assert at_least("2.1", str(v)) == v.at_least("2.1")


def _write(pytester, **files: str) -> None:
    pytester.makepyfile(**{name: textwrap.dedent(src) for name, src in files.items()})


def test_marker_fixture_header_and_errors_on_the_running_torch(pytester) -> None:
    _write(
        pytester,
        test_inner="""
        import pytest, torch
        from packaging.version import Version

        @pytest.mark.torch_version(">=%(release)s")
        def test_runs_on_this_release():
            pass

        @pytest.mark.torch_version("<%(release)s")
        def test_skips_older_only():
            pass

        @pytest.mark.torch_version(">=1.0")
        @pytest.mark.torch_version(">=%(next)s")
        def test_all_markers_must_hold():
            pass

        def test_fixture(torch_version):
            assert torch_version == Version(torch.__version__)
            assert torch_version.at_least("%(release)s")
            assert not torch_version.at_least("%(next)s")

        @pytest.mark.torch_version("at least 1.9")
        def test_bad_specifier_errors():
            pass

        @pytest.mark.torch_version()
        def test_empty_marker_errors():
            pass
        """
        % {"release": RELEASE, "next": NEXT_MAJOR},
    )
    result = pytester.runpytest("-rs", "--strict-markers")
    result.assert_outcomes(passed=2, skipped=2, errors=2)
    result.stdout.fnmatch_lines(
        [
            "torch: %s (*), Python *" % RUNNING,
            "*invalid torch_version specifier 'at least 1.9'*",
            "*torch_version needs a specifier*",
            "*test_inner.py:*: requires torch <%s; running %s" % (RELEASE, RUNNING),
            "*requires torch >=%s; running %s*" % (NEXT_MAJOR, RUNNING),
        ]
    )


def test_marker_is_registered(pytester) -> None:
    markers = pytester.parseconfigure().getini("markers")
    assert any(line.startswith("torch_version(*specs):") for line in markers)


_MARKED_TESTS = """
import pytest

@pytest.mark.torch_version(">=1.9")
def test_new():
    pass

@pytest.mark.torch_version("<1.9")
def test_old():
    pass

def test_unmarked():
    pass

def test_fixture(torch_version):
    assert str(torch_version) == "1.9.0.dev20210601"
    assert torch_version.at_least("1.9")
"""


def test_emulated_nightly_counts_as_its_release(pytester) -> None:
    """Emulated: a fake ``torch`` package reporting a 1.9 nightly shadows the real torch."""
    pytester.mkpydir("torch")
    pytester.path.joinpath("torch", "__init__.py").write_text(
        '__version__ = "1.9.0.dev20210601"\n\nclass version:\n    cuda = None\n    hip = None\n'
    )
    _write(pytester, test_inner=_MARKED_TESTS)
    result = pytester.runpytest_subprocess("-rs", "-p", "no:hypothesispytest")
    result.assert_outcomes(passed=3, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "torch: 1.9.0.dev20210601 (CPU), Python *",
            "*requires torch <1.9; running 1.9.0.dev20210601 (counts as 1.9.0)*",
        ]
    )


def test_emulated_missing_torch_skips_and_keeps_pytest_working(pytester) -> None:
    """Emulated: a ``torch`` package whose import fails, as on a machine without torch."""
    pytester.mkpydir("torch")
    pytester.path.joinpath("torch", "__init__.py").write_text(
        "raise ImportError(\"No module named 'torch' (emulated)\")\n"
    )
    _write(pytester, test_inner=_MARKED_TESTS)
    result = pytester.runpytest_subprocess("-rs", "-p", "no:hypothesispytest")
    result.assert_outcomes(passed=1, skipped=3)
    result.stdout.fnmatch_lines(
        [
            "torch: not installed (*emulated*)",
            "*requires torch >=1.9; torch is not installed*",
            "*torch not installed*",
        ]
    )
