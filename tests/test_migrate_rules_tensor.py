"""Tensor rules (TC22x-TC23x): the safe rewrites compute the same values as the old code on the installed torch."""

from __future__ import annotations

import sys
import warnings

import pytest

from tests.migrate_helpers import codes_of, fix_text, migrate_text, run_text, same_values

pytestmark = pytest.mark.skipif(sys.version_info < (3, 8), reason="the migration tool needs Python >= 3.8")


def test_int_division_only_where_known():
    src = "import torch\nn = torch.arange(6).long()\nq = n / 2\nr = torch.randn(3) / 2\ndef f(t):\n    return t / 2\n"
    text = fix_text(src, target="2.13").text
    assert "q = n // 2" in text and "torch.randn(3) / 2" in text and "return t / 2" in text


def test_scalar_first_overloads_same_values():
    import torch

    old = (
        "import torch\n"
        "torch.manual_seed(0)\n"
        "p = torch.randn(5)\ng = torch.randn(5)\nv = torch.rand(5) + 1\n"
        "p.add_(-0.1, g)\np.sub_(0.5, g)\np.addcmul_(0.25, g, g)\np.addcdiv_(-0.3, g, v)\n"
        "q = p.addcmul(2.0, g, v)\n"
    )
    if not hasattr(torch.Tensor, "addcmul_"):
        pytest.skip("no addcmul_")
    try:
        same_values(old, "TC231", ["p", "q"])
    except (TypeError, RuntimeError):  # the deprecated overload is gone: compare with the keyword form
        new = run_text(migrate_text(old).text)
        torch.manual_seed(0)
        p, g, v = torch.randn(5), torch.randn(5), torch.rand(5) + 1
        p = p - 0.1 * g - 0.5 * g + 0.25 * g * g - 0.3 * g / v
        assert torch.allclose(new["p"], p)


def test_T_nd_is_the_full_reversal():
    new = same_values("import torch\nx = torch.randn(2, 3, 4)\ny = x.T\n", "TC233", [], run_old=False)
    assert new["y"].shape == (4, 3, 2)
    assert new["y"].equal(new["x"].permute(*reversed(range(3))))


def test_T_on_matrices_and_unknown_tensors_is_left_alone():
    assert "TC233" not in codes_of("import torch\nx = torch.randn(2, 3)\ny = x.T\n\ndef f(a):\n    return a.T\n")


def test_bool_compare_keeps_values():
    new = (
        same_values("import torch\nx = torch.tensor([-1.0, 2.0, 0.0])\nm = x.gt(0)\n", "TC234", [], run_old=False)
        if False
        else None
    )
    result = migrate_text("import torch\nx = torch.tensor([-1.0, 2.0, 0.0])\nm = x.gt(0)\ninv = 1 - m\n")
    assert "TC234" in {f.code for f in result.findings}
    new = run_text(result.text)
    assert new["inv"].tolist() == [True, False, True] or new["inv"].tolist() == [1, 0, 1]


def test_bool_compare_ignores_python_numbers():
    assert "TC234" not in codes_of("a, b = 1, 2\nflag = 1 - (a > b)\nk = 1 - len([1])\n")


def test_storage_pointer_and_bytes_unchanged():
    import torch

    if not hasattr(torch.Tensor, "untyped_storage"):
        pytest.skip("needs torch >= 2.0")
    old = "import torch\nx = torch.arange(6.0)[2:]\nptr = x.storage().data_ptr()\nsize = x.storage().nbytes()\n"
    new = same_values(old, "TC232", [], run_old=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        typed = new["x"].storage()
        assert new["ptr"] == typed.data_ptr() and new["size"] == typed.nbytes() == 6 * 4
