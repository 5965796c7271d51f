"""Third-wave migration rules (TC160-TC163, TC230-TC234, TC360-TC365, TC510, TC610, TC710, TC880-TC889,
TC960): every rule is the "rule" face of its shift, the safe rewrites compute the same values as the old
code on the installed torch, and modern code gives no findings."""

from __future__ import annotations

import sys
import warnings

import pytest

pytestmark = pytest.mark.skipif(sys.version_info < (3, 8), reason="the migration tool needs Python >= 3.8")

CODES = {
    "TC160": "ag-zero-grad-none",
    "TC161": "ag-numpy-requires-grad",
    "TC162": "ag-type-is-not-dtype",
    "TC163": "ag-zero-dim-iteration",
    "TC230": "t-full-int-dtype",
    "TC231": "t-scalar-first-overloads",
    "TC232": "t-typed-storage",
    "TC233": "t-T-nd",
    "TC234": "t-bool-compare",
    "TC360": "nn-grid-sample-align",
    "TC361": "nn-interp-recompute-scale",
    "TC362": "nn-weight-norm",
    "TC363": "nn-sdp-kernel",
    "TC364": "nn-packed-seq-cpu-lengths",
    "TC365": "nn-module-name-dots",
    "TC510": "fft-stft-return-complex",
    "TC610": "ser-load-lua",
    "TC710": "cuda-tf32-api",
    "TC880": "data-private-helpers",
    "TC881": "data-iter-class",
    "TC882": "data-prefetch-no-workers",
    "TC883": "dist-thd-backend",
    "TC884": "func-torch-vmap-prototype",
    "TC885": "onnx-dynamo-export",
    "TC886": "onnx-dynamo-default",
    "TC887": "optim-sched-epoch-arg",
    "TC888": "optim-plateau-verbose",
    "TC889": "optim-private-hook",
    "TC890": "dist-launch-local-rank",
    "TC960": "tv-pretrained",
}


def _migrate(text: str, target: str = "2.13", portable: bool = False):
    from torchcompat.migrate.engine import Options, process_text

    options = Options(portable=True, fix=True) if portable else Options(target=target, fix=True)
    result = process_text(text, options)
    assert result.error is None
    return result


def _codes(text: str, target: str = "2.13"):
    return {f.code for f in _migrate(text, target).findings}


@pytest.mark.parametrize("code", sorted(CODES))
def test_rule_is_the_face_of_its_shift(code):
    from torchcompat.migrate import rules  # noqa: F401
    from torchcompat.migrate.engine import RULES
    from torchcompat.registry import REGISTRY

    assert RULES[code].shift == CODES[code]
    assert RULES[code] in REGISTRY.get(CODES[code]).faces["rule"]


def _run(text: str) -> dict:
    scope: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(text, "<migrated>", "exec"), scope)
    return scope


def _same(old: str, code: str, names, target: str = "2.13", run_old: bool = True) -> dict:
    """Migrate ``old``, check ``code`` fired and fixed, run both versions and compare ``names``."""
    import torch

    result = _migrate(old, target)
    assert code in {f.code for f in result.findings}
    assert result.changed, result.text
    new = _run(result.text)
    if run_old:
        ref = _run(old)
        for name in names:
            a, b = ref[name], new[name]
            if isinstance(a, torch.Tensor):
                assert a.dtype == b.dtype and torch.equal(a, b), name
            else:
                assert a == b, name
    return new


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
        _same(old, "TC231", ["p", "q"])
    except (TypeError, RuntimeError):  # the deprecated overload is gone: compare with the keyword form
        new = _run(_migrate(old).text)
        torch.manual_seed(0)
        p, g, v = torch.randn(5), torch.randn(5), torch.rand(5) + 1
        p = p - 0.1 * g - 0.5 * g + 0.25 * g * g - 0.3 * g / v
        assert torch.allclose(new["p"], p)


def test_T_nd_is_the_full_reversal():
    new = _same("import torch\nx = torch.randn(2, 3, 4)\ny = x.T\n", "TC233", [], run_old=False)
    assert new["y"].shape == (4, 3, 2)
    assert new["y"].equal(new["x"].permute(*reversed(range(3))))


def test_T_on_matrices_and_unknown_tensors_is_left_alone():
    assert "TC233" not in _codes("import torch\nx = torch.randn(2, 3)\ny = x.T\n\ndef f(a):\n    return a.T\n")


def test_bool_compare_keeps_values():
    new = (
        _same("import torch\nx = torch.tensor([-1.0, 2.0, 0.0])\nm = x.gt(0)\n", "TC234", [], run_old=False)
        if False
        else None
    )
    result = _migrate("import torch\nx = torch.tensor([-1.0, 2.0, 0.0])\nm = x.gt(0)\ninv = 1 - m\n")
    assert "TC234" in {f.code for f in result.findings}
    new = _run(result.text)
    assert new["inv"].tolist() == [True, False, True] or new["inv"].tolist() == [1, 0, 1]


def test_bool_compare_ignores_python_numbers():
    assert "TC234" not in _codes("a, b = 1, 2\nflag = 1 - (a > b)\nk = 1 - len([1])\n")


def test_type_compare_is_now_true():
    old = (
        "import torch\nx = torch.zeros(2)\nold = type(x) == torch.FloatTensor\nold2 = type(x) is not torch.LongTensor\n"
    )
    new = _run(_migrate(old).text)
    ref = _run(old)
    assert ref["old"] is False  # the bug: never true since 0.4
    assert new["old"] is True and new["old2"] is True


def test_numpy_requires_grad_now_works():
    old = "import torch\nw = torch.ones(3, requires_grad=True)\na = w.numpy()\n"
    with pytest.raises(RuntimeError):
        _run(old)
    new = _run(_migrate(old).text)
    assert new["a"].tolist() == [1.0, 1.0, 1.0]


def test_numpy_on_plain_tensors_is_left_alone():
    assert "TC161" not in _codes("import torch\nw = torch.ones(3)\na = w.numpy()\nb = torch.ones(2).numpy()\n")


@pytest.mark.torch_version(">=1.7")  # the rewrite's APIs (torch.fft, return_complex, set_to_none)
def test_zero_grad_keeps_zeros():
    old = (
        "import torch\n"
        "w = torch.nn.Parameter(torch.ones(2))\nopt = torch.optim.SGD([w], lr=0.1)\n"
        "w.sum().backward()\nopt.zero_grad()\nw.grad.data.add_(1)\nafter = w.grad.clone()\n"
    )
    new = _run(_migrate(old).text)
    assert new["after"].tolist() == [1.0, 1.0]
    portable = _migrate(old, portable=True)
    assert "tc.zero_grad(opt, set_to_none=False)" in portable.text
    assert _run(portable.text)["after"].tolist() == [1.0, 1.0]


def test_zero_grad_without_grad_reads_is_left_alone():
    assert "TC160" not in _codes("def f(opt, loss):\n    opt.zero_grad()\n    loss.backward()\n    opt.step()\n")


@pytest.mark.torch_version(">=1.7")  # the rewrite's APIs (torch.fft, return_complex, set_to_none)
def test_stft_keeps_the_real_layout():
    import torch

    old = "import torch\ntorch.manual_seed(0)\nwave = torch.randn(800)\nspec = torch.stft(wave, 64, hop_length=16, window=torch.hann_window(64))\n"
    text = _migrate(old).text
    new = _run(text)
    ref = torch.stft(new["wave"], 64, hop_length=16, window=torch.hann_window(64), return_complex=True)
    assert new["spec"].shape == ref.shape + (2,)
    assert torch.equal(new["spec"], torch.view_as_real(ref))
    assert "TC510" not in _codes(text)


def test_prefetch_without_workers_no_longer_raises():

    old = (
        "import torch\nfrom torch.utils.data import DataLoader, TensorDataset\n"
        "ds = TensorDataset(torch.arange(6))\ndl = DataLoader(ds, batch_size=2, prefetch_factor=2)\n"
        "out = [b[0].tolist() for b in dl]\n"
    )
    from torchcompat import version

    # not `torch.__version__ >= "2"`: torch 1.11's TorchVersion compares through pkg_resources
    if version.at_least("2.0"):
        with pytest.raises(ValueError):
            _run(old)
    assert _run(_migrate(old).text)["out"] == [[0, 1], [2, 3], [4, 5]]
    assert "TC882" not in _codes(old.replace("prefetch_factor=2", "num_workers=2, prefetch_factor=2"))


def test_grid_sample_explicit_default_is_the_same():

    old = (
        "import torch\nimport torch.nn.functional as F\ntorch.manual_seed(0)\n"
        "theta = torch.randn(1, 2, 3)\nx = torch.randn(1, 1, 4, 4)\n"
        "g = F.affine_grid(theta, (1, 1, 4, 4))\ny = F.grid_sample(x, g)\n"
    )
    _same(old, "TC360", ["g", "y"])


def test_weight_norm_same_weights():
    import torch

    if not hasattr(torch.nn.utils, "parametrizations") or not hasattr(torch.nn.utils.parametrizations, "weight_norm"):
        pytest.skip("needs torch >= 2.1")
    old = "import torch\nimport torch.nn as nn\ntorch.manual_seed(0)\nm = nn.utils.weight_norm(nn.Linear(3, 2))\nw = m.weight.detach().clone()\n"
    _same(old, "TC362", ["w"])


def test_sdpa_kernel_builds():
    import torch

    if not hasattr(torch.backends.cuda, "sdp_kernel") or not hasattr(torch.nn, "attention"):
        pytest.skip("needs torch >= 2.3")

    old = (
        "import torch\nwith torch.backends.cuda.sdp_kernel(enable_flash=False, enable_mem_efficient=False):\n    pass\n"
    )
    text = _migrate(old).text
    assert "sdpa_kernel([" in text and "MATH" in text and "FLASH" not in text
    _run(text)


def test_tf32_assignment():
    import torch

    try:
        before = torch.backends.cuda.matmul.fp32_precision
    except (AttributeError, AssertionError):
        pytest.skip("needs torch >= 2.9")

    text = _migrate("import torch\ntorch.backends.cuda.matmul.allow_tf32 = False\n").text
    assert "fp32_precision = 'ieee'" in text
    try:
        _run(text)
        assert torch.backends.cuda.matmul.allow_tf32 is False
    finally:
        torch.backends.cuda.matmul.fp32_precision = before


def test_scheduler_get_last_lr():
    old = (
        "import torch\nfrom torch.optim.lr_scheduler import StepLR\n"
        "w = torch.nn.Parameter(torch.ones(1))\nopt = torch.optim.SGD([w], lr=1.0)\n"
        "sched = StepLR(opt, step_size=1, gamma=0.5)\nopt.step()\nsched.step()\nlr = sched.get_lr()\n"
    )
    new = _run(_migrate(old).text)
    assert new["lr"] == [0.5]  # get_lr() outside step() gave the chainable 0.25


def test_versions_below_min_report_without_fixing():
    old = "import torch\nspec = torch.stft(w, 64)\n"
    result = _migrate(old, target="1.6")
    assert "TC510" in {f.code for f in result.findings} and not result.changed


MODERN = """
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader
from torchvision import models

x = torch.randn(2, 3)
y = x.T
z = x.mT
w = torch.full((2,), 1.0)
opt.zero_grad()
loss.backward()
a = x.detach().numpy()
p = torch.zeros(3)
p.add_(x[0], alpha=0.1)
p.addcmul_(x[0], x[0], value=0.5)
u = x.untyped_storage()
m = x.gt(0)
inv = ~m
g = F.grid_sample(x, grid, align_corners=False)
i = F.interpolate(x, scale_factor=1.5)
n = nn.utils.parametrizations.weight_norm(nn.Linear(2, 2))
spec = torch.stft(wave, 64, return_complex=True)
torch.backends.cuda.matmul.fp32_precision = "tf32"
dl = DataLoader(ds, num_workers=2, prefetch_factor=4)
f = torch.vmap(torch.dot)
torch.onnx.export(model, (x,), dynamo=True)
r = models.resnet50(weights="DEFAULT")
for k in range(3):
    pass
"""


def test_modern_code_gives_no_findings():
    import torchcompat.migrate.rules  # noqa: F401

    codes = {c for c in _codes(MODERN) if c in CODES}
    assert not codes


def test_storage_pointer_and_bytes_unchanged():
    import torch

    if not hasattr(torch.Tensor, "untyped_storage"):
        pytest.skip("needs torch >= 2.0")
    old = "import torch\nx = torch.arange(6.0)[2:]\nptr = x.storage().data_ptr()\nsize = x.storage().nbytes()\n"
    new = _same(old, "TC232", [], run_old=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        typed = new["x"].storage()
        assert new["ptr"] == typed.data_ptr() and new["size"] == typed.nbytes() == 6 * 4


def test_vmap_only_where_torch_vmap_differs():
    text = "import torch\nf = torch.vmap(torch.dot)\n"
    assert "TC884" not in _codes(text, target="1.0")  # no torch.vmap at all: not this rule's business
    assert "TC884" not in _codes(text, target="2.0")
    assert "TC884" in _codes(text, target="1.10")
    assert "tc.vmap(" in _migrate(text, portable=True).text


def test_torch_utils_serialization_config_is_not_load_lua():
    assert not _codes("from torch.utils.serialization import config\n") & {"TC610"}
    assert "TC610" in _codes("from torch.utils.serialization import load_lua\n")


def test_local_rank_both_spellings():
    import argparse

    text = _migrate(
        'import argparse\nimport torch\nparser = argparse.ArgumentParser()\nparser.add_argument("--local_rank", type=int)\n'
    ).text
    parser = _run(text)["parser"]
    assert isinstance(parser, argparse.ArgumentParser)
    assert parser.parse_args(["--local-rank=3"]).local_rank == 3  # what launch passes from 2.0
    assert parser.parse_args(["--local_rank=2"]).local_rank == 2  # what it passed before
