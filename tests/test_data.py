"""tc.default_collate and tc.DataLoader (keywords of newer releases accepted on every release)."""

from __future__ import annotations

import pickle
import warnings

import pytest
import torch
import torch.utils.data

import torchcompat as tc
from torchcompat.version import at_least

HAS_NEW_KEYWORDS = at_least("1.7")  # persistent_workers, prefetch_factor


def _native_collate():
    data = torch.utils.data
    if hasattr(data, "default_collate"):
        return data.default_collate
    try:
        from torch.utils.data._utils.collate import default_collate
    except ImportError:
        from torch.utils.data.dataloader import default_collate
    return default_collate


class Squares(torch.utils.data.Dataset):
    def __init__(self, n=10):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return torch.tensor([float(i), float(i * i)]), i


def _batches(loader):
    return [(x.tolist(), y.tolist()) for x, y in loader]


def _ours(record):
    return [str(w.message) for w in record if str(w.message).startswith("tc.DataLoader")]


def _build(*args, **kwargs):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        loader = tc.DataLoader(*args, **kwargs)
        batches = _batches(loader)
    return loader, batches, _ours(record)


def test_default_collate_is_torchs_own():
    assert tc.default_collate is _native_collate()
    assert tc.utils.data.default_collate is tc.default_collate
    assert tc._bind().status("default_collate") == "native"
    if hasattr(torch.utils.data, "default_collate"):
        assert tc.default_collate is torch.utils.data.default_collate


def test_default_collate_stacks_like_torch_stack():
    samples = [Squares()[i] for i in range(4)]
    xs, ys = tc.default_collate(samples)
    assert torch.equal(xs, torch.stack([s[0] for s in samples]))
    assert ys.tolist() == [0, 1, 2, 3]


def test_dataloader_is_a_torch_dataloader_with_the_same_batches():
    assert issubclass(tc.DataLoader, torch.utils.data.DataLoader)
    native = _batches(torch.utils.data.DataLoader(Squares(), batch_size=3))
    loader, batches, ours = _build(Squares(), batch_size=3)
    assert isinstance(loader, torch.utils.data.DataLoader)
    assert batches == native and not ours
    assert pickle.loads(pickle.dumps(tc.DataLoader)) is tc.DataLoader


def test_new_keywords_at_their_defaults_are_silent_everywhere():
    native = _batches(torch.utils.data.DataLoader(Squares(), batch_size=4))
    _, batches, ours = _build(
        Squares(), batch_size=4, persistent_workers=False, prefetch_factor=None, pin_memory_device=""
    )
    assert batches == native and not ours


@pytest.mark.parametrize("factor", [None, 2])
def test_prefetch_factor_without_workers_is_ignored_silently(factor):
    # torch >= 2.0 raises for 2, torch 1.7 - 1.13 for None: tc.DataLoader takes both everywhere.
    _, batches, ours = _build(Squares(), batch_size=5, num_workers=0, prefetch_factor=factor)
    assert batches == _batches(torch.utils.data.DataLoader(Squares(), batch_size=5)) and not ours


def test_prefetch_factor_without_workers_other_value_warns():
    _, batches, ours = _build(Squares(), batch_size=5, prefetch_factor=4)
    assert len(ours) == 1 and "num_workers=0" in ours[0]
    assert len(batches) == 2


def test_persistent_workers_need_workers_on_every_release():
    with pytest.raises(ValueError, match="num_workers > 0"):
        tc.DataLoader(Squares(), persistent_workers=True)


def test_workers_with_new_keywords():
    native = _batches(torch.utils.data.DataLoader(Squares(), batch_size=2))
    loader, batches, ours = _build(
        Squares(), batch_size=2, num_workers=1, persistent_workers=True, prefetch_factor=3, timeout=60
    )
    assert batches == native
    assert _batches(loader) == native  # a second epoch
    if HAS_NEW_KEYWORDS:
        assert not ours
        assert loader.prefetch_factor == 3 and loader.persistent_workers is True
    else:
        assert len(ours) == 2
        assert any("persistent_workers=True needs torch >= 1.7" in m for m in ours)
        assert any("prefetch_factor=3 is ignored" in m for m in ours)


def test_prefetch_factor_none_with_workers_means_the_default():
    loader, batches, ours = _build(Squares(), batch_size=2, num_workers=1, prefetch_factor=None, timeout=60)
    assert batches == _batches(torch.utils.data.DataLoader(Squares(), batch_size=2)) and not ours
    if HAS_NEW_KEYWORDS:
        assert loader.prefetch_factor == 2


def test_pin_memory_device_for_cuda_is_silent():
    _, batches, ours = _build(Squares(), batch_size=5, pin_memory_device="cuda")
    assert len(batches) == 2 and not ours


def test_signature_lists_the_new_keywords():
    import inspect

    params = inspect.signature(tc.DataLoader.__init__).parameters
    for name in ("dataset", "batch_size", "num_workers", "persistent_workers", "prefetch_factor", "pin_memory_device"):
        assert name in params
    assert params["persistent_workers"].default is False
