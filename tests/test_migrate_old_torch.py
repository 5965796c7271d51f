"""The rewrites *mean* what the old code meant, measured on old torch releases.

The input/expected pairs, idempotence and no-op checks of every fixture folder run in
``test_migrate_fixtures.py``. Here: the rewrites *mean* what the old code meant, measured on real torch
(each runnable fixture's ``input.py`` on an old release in a subprocess, its ``expected.py`` on this
torch, ``expected_portable.py`` on both, the printed numbers compared).
"""

from __future__ import annotations

import os
import re
import sys

import pytest

from tests import places, procs

pytestmark = pytest.mark.skipif(sys.version_info < (3, 8), reason="the migration tool needs Python >= 3.8")

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "migrate_fixtures")
OLD_PYTHON = {"1.0": places.T10_PYTHON, "1.8": places.T18_PYTHON}
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
    proc = procs.run([python, path], capture_output=True, env=env, timeout=300, cwd=os.path.dirname(path))
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
