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
