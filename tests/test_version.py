"""torchcompat.version: every torch.__version__ form seen in the wild, and garbage that never raises."""

from __future__ import annotations

import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.version import Version

from torchcompat import _release
from torchcompat import version as tv

# (string, release tuple, is it a pre/dev build, local label, parses as PEP 440 without a warning)
CASES = [
    ("0.3.1.post2", (0, 3, 1), False, None, True),
    ("0.3.0.post4", (0, 3, 0), False, None, True),
    ("0.4.0", (0, 4, 0), False, None, True),
    ("0.4.1", (0, 4, 1), False, None, True),
    ("1.0.0.dev20181207", (1, 0, 0), True, None, True),
    ("1.0.1", (1, 0, 1), False, None, True),
    ("1.0.1.post2", (1, 0, 1), False, None, True),
    ("1.2.0+cu92", (1, 2, 0), False, "cu92", True),
    ("1.4.0+cpu", (1, 4, 0), False, "cpu", True),
    ("1.7.1+cu110", (1, 7, 1), False, "cu110", True),
    ("1.8.0a0+52ea372", (1, 8, 0), True, "52ea372", True),
    ("1.9.0.dev20210415+cu111", (1, 9, 0), True, "cu111", True),
    ("1.10.0a0+git36449ea", (1, 10, 0), True, "git36449ea", True),
    ("1.12.0a0+bd13bc6", (1, 12, 0), True, "bd13bc6", True),
    ("1.13.0a0", (1, 13, 0), True, None, True),  # Debian's python3-torch 1.13.1
    ("1.13.1+cu117", (1, 13, 1), False, "cu117", True),
    ("2.0.0+rocm5.4.2", (2, 0, 0), False, "rocm5.4.2", True),
    ("2.0.1+cu118", (2, 0, 1), False, "cu118", True),
    ("2.1.0a0+32f93b1", (2, 1, 0), True, "32f93b1", True),  # NVIDIA NGC containers
    ("2.1.0a0+git7bcf7da", (2, 1, 0), True, "git7bcf7da", True),
    ("2.2.0.dev20231010+cpu", (2, 2, 0), True, "cpu", True),
    ("2.3.0+xpu", (2, 3, 0), False, "xpu", True),
    ("2.4.0rc1", (2, 4, 0), True, None, True),
    ("2.5.0.post100", (2, 5, 0), False, None, True),  # conda-forge
    ("2.6.0.dev20241112+cpu", (2, 6, 0), True, "cpu", True),
    ("2.6.0+cu126", (2, 6, 0), False, "cu126", True),
    ("2.7.0a0+ecf3bae40a.nv25.02", (2, 7, 0), True, "ecf3bae40a.nv25.2", True),
    ("2.13.0+cpu", (2, 13, 0), False, "cpu", True),
    ("2.15.0", (2, 15, 0), False, None, True),
    ("2.0.1-1", (2, 0, 1), False, None, True),  # PEP 440 reads "-1" as a post-release
    # Distro and hand-made strings that are not PEP 440: leading numbers kept, with a warning.
    ("1.13.1~rc2", (1, 13, 1), False, None, False),
    ("2.3.0_1", (2, 3, 0), False, None, False),
    ("2.1.2-1ubuntu3", (2, 1, 2), False, None, False),
    ("v2.2.1 (custom build)", (2, 2, 1), False, None, False),
    ("1.8.0a0+gitUNKNOWN/dirty", (1, 8, 0), True, None, False),
    ("", (0, 0, 0), False, None, False),
    ("unknown", (0, 0, 0), False, None, False),
    ("None", (0, 0, 0), False, None, False),
]


@pytest.mark.parametrize("text, release, pre, local, clean", CASES, ids=[c[0] or "<empty>" for c in CASES])
def test_parse_real_world_versions(text, release, pre, local, clean):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        v = tv.parse(text)
    assert isinstance(v, Version)
    assert tv.release(v) == release
    assert v.is_prerelease == pre or (pre and v.is_devrelease)
    if clean:
        assert v.local == local
        assert not caught, [str(w.message) for w in caught]
    else:
        assert any("cannot read torch version" in str(w.message) for w in caught)


def test_at_least_counts_prereleases_and_vendor_builds_as_their_release():
    assert tv.at_least("2.1", "2.1.0a0+32f93b1")
    assert tv.at_least("1.9", "1.9.0.dev20210415+cu111")
    assert tv.at_least("1.13", "1.13.0a0")  # Debian's 1.13.1 build
    assert not tv.at_least("2.2", "2.1.9")
    assert tv.at_least("1.10", "1.10.0")
    assert not tv.at_least("1.10", "1.9.1")  # numeric, not string, comparison
    assert tv.at_least("0.4", "0.4.1")


def test_running_torch_constants():
    import torch

    assert tv.TORCH_VERSION == Version(torch.__version__)
    assert isinstance(tv.TORCH_RELEASE, tuple) and all(isinstance(x, int) for x in tv.TORCH_RELEASE)
    assert tv.TORCH_RELEASE == tuple(Version(torch.__version__).release[:3]) + (0,) * (
        3 - len(Version(torch.__version__).release[:3])
    )
    assert tv.at_least(".".join(map(str, tv.TORCH_RELEASE[:2])))
    assert not tv.at_least("%d.%d" % (tv.TORCH_RELEASE[0] + 1, 0))


def test_build_of_running_torch_does_not_initialise_cuda():
    import torch

    b = tv.build(torch)
    assert b.kind in ("cpu", "cuda", "rocm")
    assert (b.kind == "cuda") == bool(torch.version.cuda)
    # torch.cuda.is_initialized exists from 1.1; 1.0 keeps the flag privately.
    initialized = getattr(torch.cuda, "is_initialized", lambda: torch.cuda._initialized)
    assert not initialized()
    assert str(b)


@pytest.mark.parametrize(
    "ver, cuda_attr, hip_attr, kind, cuda, hip",
    [
        ("2.1.0+cu121", None, None, "cuda", "12.1", None),  # vendor build with an empty torch.version.cuda
        ("2.1.0+cu121", "12.1", None, "cuda", "12.1", None),
        ("2.0.0+rocm5.4.2", None, "5.4.2", "rocm", None, "5.4.2"),
        ("2.0.0+rocm5.4.2", None, None, "rocm", None, "5.4.2"),
        ("2.13.0+cpu", None, None, "cpu", None, None),
        ("1.0.1", "9.0.176", None, "cuda", "9.0.176", None),
    ],
)
def test_build_from_version_module_and_local_label(ver, cuda_attr, hip_attr, kind, cuda, hip):
    import types

    fake = types.ModuleType("fake_torch")
    fake.__version__ = ver
    fake.version = types.SimpleNamespace(cuda=cuda_attr, hip=hip_attr)
    b = tv.build(fake)
    assert (b.kind, b.cuda, b.hip, b.mps) == (kind, cuda, hip, False)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.binary().map(lambda b: b.decode("latin1")), st.integers(), st.none(), st.floats()))
def test_parse_never_raises(text):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v = _release.parse(text)
        assert isinstance(v, Version)
        rel = _release.release(v)
    assert len(rel) == 3 and all(isinstance(x, int) for x in rel)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=99), min_size=1, max_size=4),
    st.sampled_from(["", "a0", "rc1", ".dev20240101", ".post1"]),
    st.sampled_from(["", "+cpu", "+cu121", "+git1234abc", "+rocm6.0"]),
)
def test_parse_generated_pep440_versions_roundtrip(nums, pre, local):
    text = ".".join(map(str, nums)) + pre + local
    v = _release.parse(text, warn=False)
    assert v == Version(text)
    assert _release.release(v)[: len(nums[:3])] == tuple(nums[:3])


@pytest.mark.parametrize("text", ["\u0660", "\u0661.\u0662", "1.\u0663", "\uff11.2", "2.\u00b2"])
def test_parse_non_ascii_digits_falls_back(text):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v = _release.parse(text)
    assert isinstance(v, Version)


# ----------------------------------------------------------------------------------------------------
# Extremes: numbers past the interpreter's int-conversion limit, objects that cannot be printed
# ----------------------------------------------------------------------------------------------------
def _digits(n, seed):
    import random

    rnd = random.Random(seed)
    return str(rnd.randint(1, 9)) + "".join(rnd.choice("0123456789") for _ in range(n - 1))


LONG_LENGTHS = st.one_of(
    st.sampled_from([_release.MAX_DIGITS, _release.MAX_DIGITS + 1, 640, 641, 4300, 4301, 5000, 20000]),
    st.integers(min_value=1, max_value=12000),
)
LONG_VERSIONS = st.builds(
    lambda prefix, n, seed, suffix: prefix + _digits(n, seed) + suffix,
    st.sampled_from(["", "1.", "2.1.", "v", "2.1.0+", "2.1.0+cu", "1.2.3.dev", "2.0a", "1.0.post", " ", "x"]),
    LONG_LENGTHS,
    st.integers(min_value=0, max_value=2**32),
    st.sampled_from(["", ".1", "+cpu", "rc1", "~rc1", "_1", ".post1", "." + "7" * 4400, "-1ubuntu2"]),
)


def _numbers(v):
    """Every number a Version holds (release, pre, post, dev, local)."""
    found = list(v.release)
    found += [v.pre[1]] if v.pre else []
    found += [n for n in (v.post, v.dev) if n is not None]
    found += [int(p) for p in (v.local or "").split(".") if p.isdigit()]
    return found


def _int_limit(limit):
    """Run with ``sys.set_int_max_str_digits(limit)`` (Python >= 3.11 and the 2022 security releases)."""
    import contextlib
    import sys

    @contextlib.contextmanager
    def scope():
        before = sys.get_int_max_str_digits()
        sys.set_int_max_str_digits(limit)
        try:
            yield
        finally:
            sys.set_int_max_str_digits(before)

    return scope()


HAS_INT_LIMIT = hasattr(__import__("sys"), "set_int_max_str_digits")


@settings(max_examples=300, deadline=None)
@given(LONG_VERSIONS)
def test_parse_never_raises_on_long_numbers(text):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v = _release.parse(text)
        assert isinstance(v, Version)
        assert all(n < 10**_release.MAX_DIGITS for n in _numbers(v))  # over-long numbers are never read
        assert len(_release.release(text)) == 3
        assert isinstance(_release.base(text), Version)
        assert tv.at_least("0.0", text)
        assert isinstance(tv.at_least(text, "2.13.0"), bool)
        if HAS_INT_LIMIT:  # the interpreter's limit does not change the answer
            for limit in (640, 0):
                with _int_limit(limit):
                    assert _release.parse(text) == v


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1" * 4301, "0.0.0"),  # past Python's default int-conversion limit: unreadable
        ("1" * 101, "0.0.0"),
        ("1." + "2" * 100, "1." + "2" * 100),  # MAX_DIGITS digits still read
        ("1.2." + "9" * 5000, "1.2"),  # the leading numbers that can be read
        ("2.1.0+" + "1" * 5000, "2.1.0"),
        ("2.1.0+cu" + "1" * 5000, "2.1.0"),
        ("2.1.0.dev" + "2" * 4400, "2.1.0"),
    ],
    ids=["4301-digits", "101-digits", "100-digit-part", "long-third-part", "long-local", "long-cu", "long-dev"],
)
def test_parse_long_numbers(text, expected):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        v = _release.parse(text)
    assert v == Version(expected)
    if len(text) > 200:
        assert any("cannot read torch version" in str(w.message) for w in caught)
        assert all(len(str(w.message)) < 400 for w in caught)  # a 5000-digit string is shown shortened


def _unprintable(exc_type, which):
    def boom(self):
        raise exc_type("boom")

    attrs = {}
    if which in ("__str__", "both"):
        attrs["__str__"] = boom
    if which in ("__repr__", "both"):
        attrs["__repr__"] = boom  # without __str__, str() calls __repr__
    if which == "non-str":
        attrs["__str__"] = lambda self: 5
    if which == "__class__":
        attrs["__class__"] = property(boom)  # isinstance() reads __class__
        attrs["__str__"] = boom
    if which == "str-subclass":
        return type("EvilStr", (str,), {"strip": boom, "__repr__": boom, "__str__": boom})("garbage")
    return type("Unprintable", (object,), attrs)()


EXCEPTIONS = [ValueError, RuntimeError, TypeError, MemoryError, RecursionError, UnicodeError, AttributeError, KeyError]
EXCEPTIONS.append(type("CustomError", (Exception,), {}))
UNPRINTABLE_KINDS = ["__str__", "__repr__", "both", "non-str", "__class__", "str-subclass"]
# hypothesis < 6.120 (Python 3.8) itself trips on a value whose __class__ raises: that kind is tested below only
UNPRINTABLE = st.builds(
    _unprintable, st.sampled_from(EXCEPTIONS), st.sampled_from([k for k in UNPRINTABLE_KINDS if k != "__class__"])
)


@pytest.mark.parametrize("kind", UNPRINTABLE_KINDS)
@pytest.mark.parametrize("exc_type", EXCEPTIONS, ids=[e.__name__ for e in EXCEPTIONS])
def test_every_unprintable_kind_parses_as_unknown(kind, exc_type):
    _check_unprintable(_unprintable(exc_type, kind))


@settings(max_examples=100, deadline=None)
@given(UNPRINTABLE)
def test_unprintable_objects_parse_as_unknown(obj):
    _check_unprintable(obj)


def _check_unprintable(obj):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        v = _release.parse(obj)
        assert v == _release.FALLBACK
        assert _release.release(obj) == (0, 0, 0)
        assert _release.base(obj) == _release.FALLBACK
        assert tv.at_least("0.0", obj) and not tv.at_least("0.1", obj)
    messages = [str(w.message) for w in caught]
    assert messages and all("cannot read torch version" in m for m in messages)
    if type(obj).__name__ == "Unprintable":
        assert all("<unprintable Unprintable object>" in m for m in messages)


def test_unprintable_torch_module_version():
    import types

    class Module(types.ModuleType):
        @property
        def __version__(self):
            raise RuntimeError("broken build")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert tv.version_of(Module("fake_torch")) == _release.FALLBACK


def test_keyboard_interrupt_in_str_propagates():
    class Interrupted:
        def __str__(self):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _release.parse(Interrupted())


@settings(max_examples=300, deadline=None)
@given(st.one_of(LONG_VERSIONS, UNPRINTABLE, st.text(), st.integers(), st.none()))
def test_parse_never_raises_extremes(text):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert isinstance(_release.parse(text), Version)
