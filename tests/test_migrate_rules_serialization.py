"""Serialization rules (TC601, TC610)."""

from __future__ import annotations

import sys

import pytest

from tests.migrate_helpers import codes_of, fix_text

pytestmark = pytest.mark.skipif(sys.version_info < (3, 8), reason="the migration tool needs Python >= 3.8")


def test_load_of_whole_object_keeps_unsafe_load_with_comment():
    src = "import torch\ntorch.save(net, 'm.pt')\nnet2 = torch.load('m.pt')\nsd = torch.load('other.pt')\n"
    text = fix_text(src, target="2.13").text
    assert "torch.load('m.pt', weights_only=False)  # whole object" in text
    assert "torch.load('other.pt', weights_only=True)" in text


def test_torch_utils_serialization_config_is_not_load_lua():
    assert not codes_of("from torch.utils.serialization import config\n") & {"TC610"}
    assert "TC610" in codes_of("from torch.utils.serialization import load_lua\n")
