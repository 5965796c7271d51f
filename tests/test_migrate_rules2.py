"""Second-wave migration rules (TC15x, TC22x, TC4xx, TC5xx, TC6xx, TC7xx, TC85x-TC87x, TC95x).

The input/expected pairs, idempotence and no-op checks of every fixture folder run in
``test_migrate_fixtures.py``. Here: the rewrites *mean* what the old code meant, measured on real torch
(each runnable fixture's ``input.py`` on an old release in a subprocess, its ``expected.py`` on this
torch, ``expected_portable.py`` on both, the printed numbers compared), ``--target-version`` gating,
and the registry faces.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(sys.version_info < (3, 8), reason="the migration tool needs Python >= 3.8")

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "migrate_fixtures")
OLD_PYTHON = {"1.0": "/work/venvs/t1.0/bin/python", "1.8": "/work/venvs/t1.8/bin/python"}
ROOT = os.path.dirname(HERE)

#: runnable fixtures (they print results) -> the old release whose torch still has the input's API
RUNNABLE = {
    "TC220_uint8_mask": "1.0",
    "TC221_int_division": "1.0",
    "TC401_gels": "1.0",
    "TC402_gesv": "1.0",
    "TC403_potrf": "1.0",
    "TC404_potrs": "1.0",
    "TC405_potri": "1.0",
    "TC406_trtrs": "1.0",
    "TC407_btrifact": "1.0",
    "TC408_btrisolve": "1.0",
    "TC410_solve": "1.8",
    "TC411_lstsq": "1.8",
    "TC412_symeig": "1.0",
    "TC413_eig": "1.0",
    "TC414_matrix_rank": "1.0",
    "TC415_chain_matmul": "1.0",
    "TC416_ger": "1.0",
    "TC417_norm": "1.0",
    "TC418_range": "1.0",
    "TC419_qr": "1.0",
    "TC420_cholesky": "1.0",
    "TC501_fft_legacy": "1.0",
    "TC601_load_weights_only": "1.0",
    "TC850_meshgrid": "1.0",
    "TC222_linspace_steps": "1.0",
    "TC350_upsampling_modules": "1.0",
}
#: fixtures whose portable output cannot run on torch 1.0 (no adapter yet)
PORTABLE_OLD_SKIP: dict = {}  # folder -> why its portable output cannot run on 1.0.1

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")


def _run(python: str, path: str) -> str:
    env = dict(os.environ, PYTHONWARNINGS="ignore", PYTHONPATH=ROOT)
    proc = subprocess.run([python, path], capture_output=True, env=env, timeout=300, cwd=os.path.dirname(path))
    assert proc.returncode == 0, "%s failed on %s:\n%s" % (path, python, proc.stderr.decode()[-2000:])
    return proc.stdout.decode()


def _same_output(a: str, b: str, rtol: float = 1e-4, atol: float = 1e-5) -> None:
    assert _NUMBER.sub("#", a) == _NUMBER.sub("#", b), (a, b)
    for x, y in zip(_NUMBER.findall(a), _NUMBER.findall(b)):
        assert abs(float(x) - float(y)) <= atol + rtol * abs(float(y)), (a, b)


def _old_python(release: str) -> str:
    python = OLD_PYTHON[release]
    if not os.path.exists(python):
        pytest.skip("no torch %s venv at %s" % (release, python))
    return python


@pytest.mark.slow
@pytest.mark.parametrize("folder", sorted(RUNNABLE))
def test_rewrite_means_what_the_old_call_meant(folder):
    """input.py on the old torch prints what expected.py prints on this torch."""
    old = _run(_old_python(RUNNABLE[folder]), os.path.join(FIXTURES, folder, "input.py"))
    new = _run(sys.executable, os.path.join(FIXTURES, folder, "expected.py"))
    _same_output(old, new)


@pytest.mark.slow
@pytest.mark.parametrize("folder", sorted(RUNNABLE))
def test_portable_output_runs_on_old_and_new_torch(folder):
    if folder in PORTABLE_OLD_SKIP:
        pytest.skip(PORTABLE_OLD_SKIP[folder])
    path = os.path.join(FIXTURES, folder, "expected_portable.py")
    if not os.path.exists(path):
        path = os.path.join(FIXTURES, folder, "expected.py")
    new = _run(sys.executable, path)
    old_python = _old_python("1.0")
    if RUNNABLE[folder] == "1.0":
        old = _run(old_python, os.path.join(FIXTURES, folder, "input.py"))
        _same_output(old, new)
    _same_output(_run(old_python, path), new)


def _fix(text: str, **options):
    from torchcompat.migrate.engine import Options, process_text

    return process_text(text, Options(fix=True, **options))


@pytest.mark.parametrize(
    "source, target, fixed",
    [
        ("import torch\nX, _ = torch.gels(b, A)\n", "1.8", False),  # linalg.lstsq is 1.9
        ("import torch\nX, _ = torch.gels(b, A)\n", "1.9", True),
        ("import torch\nx, _ = torch.gesv(B, A)\n", "1.7", False),
        ("import torch\nx = torch.btrisolve(b, lu, piv)\n", "1.12", False),  # linalg.lu_solve is 1.13
        ("import torch\nx = torch.rfft(s, 1)\n", "1.7", False),
        ("import torch\nx = torch.rfft(s, 1)\n", "1.8", True),
        ("import torch\nm = x.masked_fill(torch.eye(3).byte(), 0)\n", "1.1", False),
        ("import torch\ny = torch.load(p)\n", "1.12", False),  # weights_only is 1.13
        ("import torch\ns = torch.cuda.amp.GradScaler()\n", "2.2", False),
        ("import torch\ng = torch.meshgrid(a, b)\n", "1.9", False),
    ],
)
def test_target_version_never_emits_a_newer_api(source, target, fixed):
    result = _fix(source, target=target)
    assert result.findings, "the finding is reported whatever the target"
    assert result.changed is fixed


def test_cholesky_upper_uses_mH_only_from_1_11():
    src = "import torch\nU = torch.potrf(A)\n"
    assert ".mH" in _fix(src, target="1.11").text
    old = _fix(src, target="1.8").text
    assert ".mH" not in old and ".transpose(-2, -1)" in old


def test_unclear_tuple_use_is_reported_not_fixed():
    src = "import torch\npair = torch.gels(b, A)\nprint(pair[1])\n"
    result = _fix(src, target="2.13")
    assert not result.changed
    assert [f.code for f in result.findings] == ["TC401"]


def test_names_resolve_through_imports_not_text():
    src = "import torch as T\nfrom torch import gesv as solve_old\nx, _ = solve_old(B, A)\ny = T.ger(a, b)\n"
    result = _fix(src, target="2.13")
    assert "x = T.linalg.solve(A, B)" in result.text and "T.outer(a, b)" in result.text
    local = "def ger(a, b):\n    return a\nimport torch\ny = ger(a, b)\n"
    assert not _fix(local, target="2.13").findings


def test_int_division_only_where_known():
    src = "import torch\nn = torch.arange(6).long()\nq = n / 2\nr = torch.randn(3) / 2\ndef f(t):\n    return t / 2\n"
    text = _fix(src, target="2.13").text
    assert "q = n // 2" in text and "torch.randn(3) / 2" in text and "return t / 2" in text


def test_load_of_whole_object_keeps_unsafe_load_with_comment():
    src = "import torch\ntorch.save(net, 'm.pt')\nnet2 = torch.load('m.pt')\nsd = torch.load('other.pt')\n"
    text = _fix(src, target="2.13").text
    assert "torch.load('m.pt', weights_only=False)  # whole object" in text
    assert "torch.load('other.pt', weights_only=True)" in text


def test_every_second_wave_rule_is_a_registry_face():
    from torchcompat.migrate import rules  # noqa: F401
    from torchcompat.migrate.engine import RULES
    from torchcompat.registry import REGISTRY

    ranges = [(150, 199), (220, 299), (350, 399), (400, 799), (850, 899), (950, 999)]
    mine = [r for r in RULES.values() if any(lo <= int(r.code[2:]) <= hi for lo, hi in ranges)]
    assert len(mine) >= 50
    for r in mine:
        shift = REGISTRY.get(r.shift)
        assert shift.strategy.split()[0] in ("codemod", "legacy-restore", "alias", "warn-only"), r.code
        assert r.message and r.docs and r.min_version


@pytest.mark.torch_version(">=1.8")  # the rewrite's APIs (torch.fft with fft2/rfft2, view_as_real)
def test_fft_rewrite_matches_the_legacy_adapter_on_this_torch():
    """The plain 2.13 rewrite and tc.fft.*_legacy (the adapter) agree, including irfft's odd default size."""
    torch = pytest.importorskip("torch")
    import torchcompat as tc

    x = torch.randn(3, 8, dtype=torch.float64)
    X = torch.view_as_real(torch.fft.rfft(x))
    assert torch.allclose(X, tc.fft.rfft_legacy(x, 1))
    y = torch.fft.irfftn(torch.view_as_complex(X.contiguous()), s=(2 * X.size(-2) - 1,), dim=(-1,))
    assert torch.allclose(y, tc.fft.irfft_legacy(X, 1))
    Z = torch.view_as_real(torch.fft.fft2(x, norm="ortho"))
    assert torch.allclose(Z, tc.fft.rfft_legacy(x, 2, normalized=True, onesided=False))
