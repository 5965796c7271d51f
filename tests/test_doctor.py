"""``torchcompat doctor``: the decision table on fake facts, and the command on real environments.

The real environments are small uv venvs made by ``tests/doctor_envs.sh [DIR]`` (hardlinked from uv's cache;
DIR is ``$TORCHCOMPAT_DOCTOR_ENVS``, default ``doctor`` under ``tests.places.VENVS``); each test skips when its venv is absent:
- ``healthy``: torch 1.8.1 + torchvision 0.9.1 + torchaudio 0.8.1, numpy 1 (Python 3.9);
- ``mismatch``: torch 1.8.1 + torchvision 0.10.1 (made for 1.9): "Couldn't load custom C++ ops";
- ``numpy2``: torch 1.8.1 + NumPy 2.0.2: ``import torch`` fails ("_ARRAY_API not found", measured);
- ``cpu-cuda``: the system's CPU torch 2.13.0 + the index's CUDA torchvision 0.28.0: "torchvision::nms does not exist".
torchcompat is not installed there: the doctor runs from this checkout through PYTHONPATH.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Dict, List

import pytest

from tests import places, procs
from torchcompat import doctor
from torchcompat.testing import matrix
from torchcompat.testing.pairs import PAIRS, accepts, pair, torch_for

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENVS = os.environ.get("TORCHCOMPAT_DOCTOR_ENVS", os.path.join(places.VENVS, "doctor"))


def facts(torch: str = "1.8.1", cuda: Any = "10.2", python: str = "3.9.18", **extra: Any) -> Dict[str, Any]:
    """Fake facts: a torch (and whatever ``extra`` adds) as the probe and the metadata would report them."""
    steps: Dict[str, Any] = {"torch": {"version": torch, "cuda": cuda}, "returncode": 0}
    steps.update(extra.pop("steps", {}))
    data = {"python": python, "dists": {"torch": torch}, "probe": steps, "pkg_resources": True, "packaging": True,
            "setuptools": True}  # fmt: skip
    data.update(extra)
    return data


def codes(data: Dict[str, Any]) -> List[str]:
    return [p.code for p in doctor.diagnose(data)]


# --- the table --------------------------------------------------------------------------------------------


def test_every_matrix_release_has_a_pair_and_each_library_version_maps_back_to_it() -> None:
    assert list(PAIRS) == [rel.minor for rel in matrix.RELEASES]
    for minor, row in PAIRS.items():
        assert torch_for("torchvision", row.torchvision) == [minor], (minor, row.torchvision)
        if row.torchaudio:
            assert minor in torch_for("torchaudio", row.torchaudio)
    assert pair("1.8.1+cu102") is PAIRS["1.8"] and pair("3.0.0") is None
    assert accepts(("0.4.1", "0.4.2"), "0.4.2") and not accepts(("0.4.1", "0.4.2"), "0.4.0")


# --- the decision table on fake facts -----------------------------------------------------------------------


def test_a_matching_pair_is_healthy() -> None:
    data = facts(steps={"torchvision": {"version": "0.9.1+cu102", "cuda": "10.2", "cuda_known": True}})
    data["probe"]["torchaudio"] = {"version": "0.8.1"}
    data["dists"].update(torchvision="0.9.1", torchaudio="0.8.1", numpy="1.26.4")
    assert doctor.diagnose(data) == []


def test_a_torchvision_made_for_another_torch_names_both_and_the_paired_release() -> None:
    data = facts(steps={"torchvision": {"version": "0.10.1", "op_error": "RuntimeError: Couldn't load custom C++ ops"}})
    (problem,) = doctor.diagnose(data)
    assert problem.code == "torchvision-version" and "made for torch 1.9" in problem.message
    assert "torchvision==0.9.1" in problem.fix and "C++ ops" in problem.message


def test_torch_2_15_takes_torchvision_0_29_2_only() -> None:
    data = facts("2.15.0", "13.2", "3.13.1", steps={"torchvision": {"version": "0.29.1", "cuda": "13.0"}})
    (problem,) = doctor.diagnose(data)
    assert "made for torch 2.14" in problem.message and "torchvision==0.29.2" in problem.fix


def test_a_cuda_torchvision_beside_a_cpu_torch_points_at_the_cpu_index() -> None:
    failing = facts(
        "2.13.0+cpu", None, "3.11.7", steps={"torchvision": {"version": "0.28.0", "error": "RuntimeError: x"}}
    )
    failing["dists"]["torch"] = "2.13.0+cpu"
    failing["bundles_cudart"] = ["torchvision"]
    (problem,) = doctor.diagnose(failing)
    assert problem.code == "torchvision-import" and "CUDA build" in problem.message
    assert problem.fix.endswith("torchvision==0.28.0 --index-url https://download.pytorch.org/whl/cpu")
    loading = facts("2.13.0+cpu", None, "3.11.7", steps={"torchvision": {"version": "0.28.0+cu130", "cuda": "13.0",
                                                                         "cuda_known": True}})  # fmt: skip
    assert codes(loading) == ["torchvision-build"]


def test_a_cpu_torchvision_beside_a_cuda_torch_is_a_warning() -> None:
    data = facts(steps={"torchvision": {"version": "0.9.1+cpu", "cuda": None, "cuda_known": True}})
    (problem,) = doctor.diagnose(data)
    assert (problem.code, problem.level) == ("torchvision-build", "warning")


def test_torchvision_0_2_has_no_build_to_compare() -> None:
    data = facts("1.0.1", "9.0.176", "3.7.16", steps={"torchvision": {"version": "0.2.2", "cuda": None}})
    assert doctor.diagnose(data) == []


def test_torchaudio_where_pypi_has_none_for_that_torch() -> None:
    data = facts("1.0.1", "9.0.176", "3.7.16", steps={"torchaudio": {"version": "0.3.0"}})
    (problem,) = doctor.diagnose(data)
    assert problem.code == "torchaudio-version" and problem.fix.startswith("pip uninstall torchaudio")


@pytest.mark.parametrize(("torch", "numpy", "expected"), [("2.1.2", "2.0.0", True), ("1.8.1", "2.0.2", True),
                                                           ("2.3.0", "2.1.0", False), ("2.1.2", "1.26.4", False)])  # fmt: skip
def test_numpy_2_with_torch_before_2_3(torch: str, numpy: str, expected: bool) -> None:
    data = facts(torch, steps={"numpy": {"version": numpy}})
    assert ("numpy2" in codes(data)) is expected


def test_numpy_2_explains_a_failed_torch_import_in_one_line() -> None:
    data = facts(steps={"torch": {"error": "AttributeError: _ARRAY_API not found"}, "numpy": {"version": "2.0.2"}})
    (problem,) = doctor.diagnose(data)
    assert problem.code == "numpy2" and "_ARRAY_API" in problem.message and problem.fix == 'pip install "numpy<2"'


@pytest.mark.parametrize(("torch", "python", "expected"), [("2.5.1", "3.13.0", True), ("2.5.1", "3.13.1", False),
                                                            ("1.7.1", "3.9.18", True), ("1.7.1", "3.8.18", False)])  # fmt: skip
def test_pythons_the_table_avoids(torch: str, python: str, expected: bool) -> None:
    assert ("python" in codes(facts(torch, python=python))) is expected


@pytest.mark.parametrize("version", ["1.13.0a0", "2.1.0a0+git32f93b1", "2.4.0.dev20240601"])
def test_distribution_and_source_builds(version: str) -> None:
    assert codes(facts(version)) == ["distro-build"]


def test_setuptools_and_packaging_where_a_release_needs_them() -> None:
    assert codes(facts("1.10.2", pkg_resources=False)) == ["setuptools"]
    assert codes(facts("1.11.0", pkg_resources=False)) == []
    (problem,) = doctor.diagnose(facts("2.1.2", pkg_resources=False, packaging=False))
    assert problem.code == "packaging" and "optimizer.step()" in problem.message
    (problem,) = doctor.diagnose(facts("2.1.2", pkg_resources=True, packaging=False))
    assert problem.code == "packaging" and "optimizer.step()" not in problem.message  # torchcompat's own need


def test_cpp_extension_needs_are_notes() -> None:
    (problem,) = doctor.diagnose(facts("1.8.1", setuptools=False))
    assert (problem.code, problem.level, problem.fix) == ("cpp-extension", "note", "pip install setuptools")
    (problem,) = doctor.diagnose(facts("2.0.1", "11.7", "3.11.7", pkg_resources=False))
    assert problem.fix == 'pip install "setuptools<82"'
    assert doctor.diagnose(facts("2.4.1", "12.1", "3.12.1", pkg_resources=False, setuptools=False)) == []


def test_the_namesake_and_a_missing_torch() -> None:
    data = facts(namesake="/x/site-packages/torchcompat")
    data["dists"]["torchcompat"] = "1.1.4"
    (problem,) = doctor.diagnose(data)
    assert problem.code == "namesake" and "pip uninstall torchcompat" in problem.fix
    assert codes({"python": "3.11.7", "dists": {}, "probe": {}}) == ["torch-missing"]


def test_a_probe_that_died_names_the_step() -> None:
    data = facts(steps={"numpy": {"version": "1.26.4"}, "returncode": -11, "stderr": "Segmentation fault"})
    (problem,) = doctor.diagnose(data)
    assert problem.code == "crash" and "at torchvision" in problem.message


def test_installed_reads_metadata_first_entry_wins(tmp_path: Any) -> None:
    for where, version in (("a", "0.9.1"), ("b", "0.10.1")):
        info = tmp_path / where / ("torchvision-%s.dist-info" % version)
        info.mkdir(parents=True)
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: torchvision\nVersion: %s\n\n" % version)
    paths = [str(tmp_path / "a"), str(tmp_path / "b")]
    assert doctor.installed(("torchvision", "torch"), paths) == {"torchvision": "0.9.1"}


# --- the command on real environments ----------------------------------------------------------------------


def run_doctor(python: str) -> Dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=ROOT)
    done = procs.run([python, "-m", "torchcompat", "doctor", "--json"], capture_output=True, env=env, timeout=300)
    report = json.loads(done.stdout.decode())
    assert done.returncode == (0 if report["healthy"] else 1), done.stderr.decode()[-500:]
    report["problems"] = [p for p in report["problems"] if p["level"] != "note"]  # notes: setuptools absent
    report["codes"] = [p["code"] for p in report["problems"]]
    return report


def env_python(name: str) -> str:
    python = os.path.join(ENVS, name, "bin", "python")
    if not os.path.exists(python):
        pytest.skip("needs %s (make it with tests/doctor_envs.sh)" % os.path.join(ENVS, name))
    return python


def test_here_json_and_exit_code_agree() -> None:
    run_doctor(sys.executable)


def test_real_healthy_pair() -> None:
    report = run_doctor(env_python("healthy"))
    assert report["healthy"], report["problems"]
    assert report["facts"]["probe"]["torchvision"]["nms"] == [0]


def test_real_mismatched_torchvision() -> None:
    report = run_doctor(env_python("mismatch"))
    assert report["codes"] == ["torchvision-version"]
    assert "Couldn't load custom C++ ops" in report["problems"][0]["message"]


def test_real_numpy_2_with_torch_1_8() -> None:
    report = run_doctor(env_python("numpy2"))
    assert report["codes"] == ["numpy2"]
    assert "_ARRAY_API" in report["facts"]["probe"]["torch"]["error"]  # it really breaks: import torch fails


def test_real_cuda_torchvision_beside_cpu_torch() -> None:
    report = run_doctor(env_python("cpu-cuda"))
    assert report["codes"] == ["torchvision-import"]
    assert "torchvision::nms does not exist" in report["problems"][0]["message"]
    assert "download.pytorch.org/whl/cpu" in report["problems"][0]["fix"]


def test_old_torchvision_with_pillow_7() -> None:
    error = "ImportError: cannot import name 'PILLOW_VERSION' from 'PIL' (/x/PIL/__init__.py)"
    data = facts("1.1.0", "9.0.176", "3.7.16", steps={"torchvision": {"version": "0.3.0", "error": error}})
    (problem,) = doctor.diagnose(data)
    assert problem.code == "pillow" and problem.fix == 'pip install "pillow<7"'


def test_torchaudio_2_11_1_beside_torch_2_12_is_flagged() -> None:
    # measured: libtorchaudio.so of 2.11.1 needs torch_exception_get_what_without_backtrace, absent in 2.12.1
    data = facts("2.12.1", "13.0", "3.13.1", steps={"torchaudio": {"version": "2.11.1"}})
    (problem,) = doctor.diagnose(data)
    assert problem.code == "torchaudio-version" and "torchaudio==2.11.0" in problem.fix
    assert doctor.diagnose(facts("2.14.1", "13.0", "3.11.7", steps={"torchaudio": {"version": "2.11.1+cu132"}})) == []
