"""tc.six: what torch._six held, on every release (torch's own object while torch._six has it)."""

from __future__ import annotations

import collections.abc
import importlib
import math

import pytest
import torch

import torchcompat as tc
from torchcompat.registry import REGISTRY


def _torch_six():
    try:
        return importlib.import_module("torch._six")
    except ImportError:
        return None


SIX = _torch_six()
NAMES = REGISTRY.adapter_names("six")


def test_the_names_of_torch_six():
    for name in ("string_classes", "int_classes", "container_abcs", "inf", "nan", "PY3", "PY37", "istuple"):
        assert name in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_native_where_torch_six_has_it(name):
    obj = getattr(tc.six, name)
    if SIX is not None and hasattr(SIX, name):
        assert obj is getattr(SIX, name)
        assert tc._bind().status("six." + name) == "native"
    else:
        assert tc._bind().status("six." + name) == "backported"


def test_values_behave_like_torch_six():
    assert isinstance("a", tc.six.string_classes) and isinstance(b"a", tc.six.string_classes)
    assert not isinstance(1, tc.six.string_classes)
    assert isinstance(3, tc.six.int_classes) and not isinstance(3.0, tc.six.int_classes)
    assert tc.six.container_abcs.Sequence is collections.abc.Sequence
    assert tc.six.inf == math.inf and torch.tensor(tc.six.inf).item() == float("inf")
    assert math.isnan(tc.six.nan)
    assert tc.six.PY3 is True and tc.six.PY2 is False
    assert tc.six.imap(abs, [-1, 2]).__next__() == 1
    assert tc.six.StringIO("x").read() == "x"
    assert tc.six.get_function_from_type(int, "bit_length") is int.bit_length
    assert tc.six.get_function_from_type(int, "nope") is None


def test_istuple_accepts_torch_return_types():
    values = torch.tensor([[3.0, 1.0], [2.0, 5.0]]).max(dim=1)
    assert tc.six.istuple(values) and tc.six.istuple((1, 2))
    assert not tc.six.istuple([1, 2])


def test_raise_from_and_with_metaclass_and_bind_method():
    with pytest.raises(KeyError) as info:
        tc.six.raise_from(KeyError("new"), ValueError("old"))
    assert isinstance(info.value.__cause__, ValueError)

    class Meta(type):
        pass

    class Base:
        pass

    class Made(tc.six.with_metaclass(Meta, Base)):
        pass

    assert type(Made) is Meta and issubclass(Made, Base)

    class Holder:
        value = 7

    def get(self):
        return self.value

    assert tc.six.bind_method(get, Holder(), Holder)() == 7


def test_unknown_six_name_is_an_attribute_error():
    with pytest.raises(AttributeError):
        tc.six.no_such_name  # noqa: B018
