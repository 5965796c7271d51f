"""The release table (``torchcompat.testing.matrix``), interpreter discovery, ``torchcompat matrix`` and the
noxfile built from it."""

from __future__ import annotations

import json
import os
import re
import sys

import pytest
import torch
from packaging.requirements import Requirement
from packaging.version import Version

from tests import procs
from torchcompat.cli import main as cli
from torchcompat.testing import matrix
from torchcompat.testing.matrix import Interpreter

MINORS = ["1.%d" % m for m in range(14)] + ["2.%d" % m for m in range(16)]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_table_has_every_minor_release_once_in_order() -> None:
    assert [rel.minor for rel in matrix.RELEASES] == MINORS
    for rel in matrix.RELEASES:
        version = Version(rel.version)
        assert "%d.%d" % (version.major, version.minor) == rel.minor
        assert not version.is_prerelease and not version.local


def test_rows_are_consistent() -> None:
    for rel in matrix.RELEASES:
        assert rel.python in rel.pythons, rel
        assert rel.avoided(rel.python) is None, rel
        assert list(rel.pythons) == sorted(rel.pythons, key=lambda p: tuple(map(int, p.split(".")))), rel
        for req in matrix.requirements(rel):
            Requirement(req)  # valid PEP 508
        assert matrix.requirements(rel)[0] == "torch==" + rel.version
        # from 1.13 on the PyPI wheel pulls nvidia-* packages; before, CUDA is bundled in the wheel
        assert rel.cuda_packages is (Version(rel.version) >= Version("1.13")), rel


def test_measured_exceptions_are_recorded() -> None:
    assert matrix.release("1.7").python == "3.8"
    assert matrix.release("1.7").avoided("3.9.18")
    assert matrix.release("2.5").python == "3.12"
    assert matrix.release("2.5").avoided((3, 13, 0))
    assert matrix.release("2.5").avoided("3.13.1") is None
    assert "setuptools<67.3" in matrix.release("1.10").extras
    assert "packaging" in matrix.release("2.1.2").extras
    assert matrix.release("1.12").numpy == "numpy<2" and matrix.release("2.3").numpy == "numpy"
    with pytest.raises(KeyError):
        matrix.release("0.4")


def test_the_running_torch_fits_its_row() -> None:
    """The table agrees with this environment: the running Python has a wheel and numpy meets the pin."""
    running = Version(Version(torch.__version__).base_version)
    try:
        rel = matrix.release("%d.%d" % (running.major, running.minor))
    except KeyError:
        pytest.skip("torch %s is not in the table" % torch.__version__)
    assert "%d.%d" % sys.version_info[:2] in rel.pythons
    assert running <= Version(rel.version)
    numpy = pytest.importorskip("numpy")
    assert Requirement(rel.numpy).specifier.contains(numpy.__version__, prereleases=True)


@pytest.mark.parametrize(
    "spec, expected",
    [
        (None, MINORS),
        (">=1.8,<2.0", ["1.8", "1.9", "1.10", "1.11", "1.12", "1.13"]),
        ("<=1.8", MINORS[:9]),  # 1.8.0 satisfies <=1.8
        ("==1.8.0", ["1.8"]),
        ("1.8", ["1.8"]),  # bare: ==1.8.*
        ("~=2.14.0", ["2.14"]),
        (">2.15", []),
    ],
)
def test_releases_torch_filter(spec, expected) -> None:
    assert [rel.minor for rel in matrix.releases(spec)] == expected


def test_releases_python_filter() -> None:
    assert [rel.minor for rel in matrix.releases(python="3.7")] == MINORS[:14]  # 1.0 ... 1.13
    assert [rel.minor for rel in matrix.releases(python="3.13.0")] == MINORS[19:]  # 2.5 ... 2.15
    assert [rel.minor for rel in matrix.releases(">=2.0", python="3.8")] == MINORS[14:19]


def _run_cli(capsys, *args: str):
    rc = cli(["matrix", *args])
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_cli_json(capsys) -> None:
    rc, out, _ = _run_cli(capsys, "--json", "--torch", ">=1.9,<1.11", "--python", "3.9")
    assert rc == 0
    rows = json.loads(out)
    assert [row["minor"] for row in rows] == ["1.9", "1.10"]
    assert rows[1]["version"] == "1.10.2"
    assert rows[1]["requirements"] == ["torch==1.10.2", "numpy<2", "setuptools<67.3"]
    assert rows[1]["session"] == "tests(torch='1.10')"
    assert rows[1]["cuda_packages"] is False


def test_cli_text_and_errors(capsys) -> None:
    rc, out, _ = _run_cli(capsys, "--torch", "~=2.1.0")
    assert rc == 0
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["torch", "newest"]
    assert [line.split()[:2] for line in lines[2:]] == [["2.1", "2.1.2"]]
    assert _run_cli(capsys, "--torch", "newer than 1.8")[0] == 2
    rc, _, err = _run_cli(capsys, "--torch", ">9")
    assert rc == 1 and "no torch release" in err


def test_cli_github_matrix(capsys) -> None:
    rc, out, _ = _run_cli(capsys, "--github", "--torch", "<1.1")
    assert rc == 0 and "\n" not in out.strip()  # one line, for $GITHUB_OUTPUT
    assert json.loads(out) == {
        "include": [
            {
                "session": "tests(torch='1.0')",
                "torch": "1.0.1",
                "python": "3.7",
                "os": "ubuntu-22.04",
                "cuda_packages": False,
            }
        ]
    }
    rc, out, _ = _run_cli(capsys, "--github")
    jobs = json.loads(out)["include"]
    assert [job["session"] for job in jobs] == [rel.session for rel in matrix.RELEASES]


def test_cli_here_shows_the_chosen_interpreter(capsys, monkeypatch) -> None:
    pool = [Interpreter("/py/3.9", (3, 9, 18)), Interpreter("/py/3.8", (3, 8, 18))]
    monkeypatch.setattr(matrix, "find_interpreters", lambda *a, **k: pool)
    rc, out, _ = _run_cli(capsys, "--json", "--here", "--torch", ">=1.6,<1.11")
    assert rc == 0
    assert {row["minor"]: row["interpreter"] for row in json.loads(out)} == {
        "1.6": "/py/3.8",
        "1.7": "/py/3.8",  # 3.9 is avoided for 1.7
        "1.8": "/py/3.9",
        "1.9": "/py/3.9",
        "1.10": "/py/3.9",
    }
    rc, out, _ = _run_cli(capsys, "--here", "--torch", "~=2.9.0")
    assert out.splitlines()[2].split()[-1] == "none"  # 2.9 needs 3.10+: none here


# -- interpreter discovery ----------------------------------------------------------------------------------


def _fake_python(path, answer: str, rc: int = 0) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\necho %s\nexit %d\n" % (answer, rc))
    path.chmod(0o755)


@pytest.mark.skipif(sys.platform == "win32", reason="uses /bin/sh scripts as fake interpreters")
def test_find_interpreters_path_then_pyenv(tmp_path) -> None:
    bin_dir = tmp_path / "bin"
    _fake_python(bin_dir / "python3.9", "cpython 3 9 18")
    _fake_python(bin_dir / "python3.8", "", rc=127)  # a pyenv shim of an inactive version
    _fake_python(bin_dir / "python3.99x", "cpython 3 99 0")  # not a python3.X name: ignored
    root = tmp_path / "pyenv"
    _fake_python(root / "versions" / "3.7.16" / "bin" / "python3", "cpython 3 7 16")
    _fake_python(root / "versions" / "3.9.2" / "bin" / "python3", "cpython 3 9 18")  # same as PATH's: PATH wins
    _fake_python(root / "versions" / "pypy3.10" / "bin" / "python3", "pypy 3 10 14")
    found = matrix.find_interpreters(path=str(bin_dir), pyenv=str(root))
    assert found == [
        Interpreter(str(bin_dir / "python3.9"), (3, 9, 18)),
        Interpreter(str(root / "versions" / "3.7.16" / "bin" / "python3"), (3, 7, 16)),
    ]


def test_find_interpreters_finds_this_one() -> None:
    folder = os.path.dirname(sys.executable)
    name = "python%d.%d" % sys.version_info[:2]
    if not os.path.exists(os.path.join(folder, name)):
        pytest.skip("no %s next to %s" % (name, sys.executable))
    found = matrix.find_interpreters(path=folder, pyenv=None)
    assert tuple(sys.version_info[:3]) in [i.version for i in found]


def _interps(*versions):
    return [Interpreter("/py/%d.%d.%d" % v, v) for v in versions]


def test_python_for_prefers_the_measured_python() -> None:
    pool = _interps((3, 13, 0), (3, 12, 1), (3, 11, 7), (3, 10, 13), (3, 9, 18), (3, 8, 18), (3, 7, 16))
    chosen = {rel.minor: matrix.python_for(rel, pool).minor for rel in matrix.RELEASES}
    assert chosen == {rel.minor: rel.python for rel in matrix.RELEASES}


def test_python_for_falls_back_and_avoids() -> None:
    assert matrix.python_for(matrix.release("1.7"), _interps((3, 9, 18))) is None  # 3.9 segfaults at exit
    assert matrix.python_for(matrix.release("1.7"), _interps((3, 9, 18), (3, 7, 3))).version == (3, 7, 3)
    assert matrix.python_for(matrix.release("2.5"), _interps((3, 13, 0))) is None
    assert matrix.python_for(matrix.release("2.5"), _interps((3, 13, 1))).version == (3, 13, 1)
    # torch 1.0 has a 2.7 wheel, but torchcompat needs 3.7+
    assert matrix.python_for(matrix.release("1.0"), _interps((2, 7, 18), (3, 6, 15))) is None
    reason = matrix.missing_reason(matrix.release("1.0"))
    assert "CPython 3.7" in reason and "2.7" in reason


# -- the noxfile --------------------------------------------------------------------------------------------


def test_noxfile_has_one_session_per_release() -> None:
    pytest.importorskip("nox")  # installed where the matrix is driven from, not in the matrix venvs
    out = procs.run(
        [sys.executable, "-m", "nox", "-l", "--json", "-t", "matrix", "-f", os.path.join(ROOT, "noxfile.py")],
        capture_output=True,
        check=True,
        cwd=ROOT,
    )
    sessions = json.loads(out.stdout.decode())
    assert [s["session"] for s in sessions] == ["tests(torch='%s')" % minor for minor in MINORS]
    assert sessions[0]["tags"] == ["matrix", "oldest"] and sessions[-1]["tags"] == ["matrix", "newest"]


# -- shards and parallel streams ----------------------------------------------------------------------------


def test_shards_are_stripes_that_cover_every_release_once(capsys) -> None:
    rows = matrix.RELEASES
    parts = [matrix.shard(rows, "%d/3" % k) for k in (1, 2, 3)]
    assert sorted((r.minor for part in parts for r in part), key=matrix._minor_key) == MINORS
    assert [r.minor for r in parts[0][:3]] == ["1.0", "1.3", "1.6"]
    assert max(map(len, parts)) - min(map(len, parts)) <= 1
    rc, out, _ = _run_cli(capsys, "--sessions", "--torch", ">=2.10", "--shard", "2/2")
    assert rc == 0 and out.splitlines() == ["tests(torch='2.11')", "tests(torch='2.13')", "tests(torch='2.15')"]
    rc, out, _ = _run_cli(capsys, "--github", "--shard", "1/30")
    assert [job["session"] for job in json.loads(out)["include"]] == ["tests(torch='1.0')"]
    for bad in ("3/2", "0/2", "1-2", "a/b"):
        rc, _, err = _run_cli(capsys, "--sessions", "--shard", bad)
        assert rc == 2 and "--shard" in err, bad
    rc, _, err = _run_cli(capsys, "--sessions", "--", "-x")
    assert rc == 2 and "--run" in err


def test_stripes_and_nox_command() -> None:
    from torchcompat.testing.parallel import nox_command, stripes

    assert stripes(["a", "b", "c"], 2) == [["a", "c"], ["b"]]
    assert stripes(["a"], 4) == [["a"]]
    with pytest.raises(ValueError, match="at least 1"):
        stripes(["a"], 0)
    cmd = nox_command(["s1", "s2"], "nf.py", ["-x"], python="py")
    assert cmd == ["py", "-m", "nox", "--non-interactive", "--noxfile", "nf.py", "--sessions", "s1", "s2", "--", "-x"]


_TOY_NOXFILE = """
import nox, os, time

@nox.session(python=False, name="tests(torch='1.0')")
def t10(session):
    session.log("pytest args %s" % session.posargs)
    session.log("threads %s" % os.environ.get("OMP_NUM_THREADS"))
    time.sleep(1.5)

@nox.session(python=False, name="tests(torch='1.1')")
def t11(session):
    session.log("pytest args %s" % session.posargs)
    time.sleep(1.5)
    if session.posargs == ["--fail-1.1"]:
        session.error("asked to fail")
"""


def test_run_streams_in_parallel_prefixes_and_reports(tmp_path, capsys) -> None:
    pytest.importorskip("nox")
    noxfile = tmp_path / "noxfile.py"
    noxfile.write_text(_TOY_NOXFILE)
    rc, out, _ = _run_cli(capsys, "--run", "-j", "2", "--torch", "<1.2", "--noxfile", str(noxfile), "--", "-k", "x")
    assert rc == 0, out
    lines = out.splitlines()
    assert any(re.match(r"\[1 00:0\d\] ", line) and "pytest args ['-k', 'x']" in line for line in lines), out
    assert any(re.match(r"\[2 00:0\d\] ", line) and "tests(torch='1.1')" in line for line in lines), out
    assert "== 2 stream(s)" in out and "[1] ok: 1 session(s)" in out and "[2] ok: 1 session(s)" in out
    threads = os.environ.get("OMP_NUM_THREADS") or str(max(1, (os.cpu_count() or 1) // 2))
    assert "threads %s" % threads in out  # each stream's share of the cores
    wall = float(out.split("== 2 stream(s), ")[1].split(" s wall")[0])
    assert wall < 2.9  # the two 1.5 s sessions overlapped
    rc, out, _ = _run_cli(capsys, "--run", "-j", "2", "--torch", "<1.2", "--noxfile", str(noxfile), "--", "--fail-1.1")
    assert rc == 1
    assert "[2] FAILED (exit 1): 1 session(s)" in out and "Session tests(torch='1.1') aborted: asked to fail" in out
    assert "[1] ok" in out


def test_uv_cache_eviction_takes_one_release(tmp_path) -> None:
    from torchcompat.testing import uvcache

    venv = tmp_path / "venv" / "lib" / "python3.13" / "site-packages"
    (venv / "torch-2.1.2.dist-info").mkdir(parents=True)
    (venv / "triton-2.1.0.dist-info").mkdir()
    found = uvcache.installed_versions(str(tmp_path / "venv"), ("torch", "triton", "numpy"))
    assert found == {"torch": "2.1.2", "triton": "2.1.0"}
    cache = tmp_path / "uv"
    wheels = cache / "wheels-v8" / "pypi" / "torch"
    wheels.mkdir(parents=True)
    for version, key in (("2.1.2", "AAA"), ("2.10.0-3", "BBB"), ("2.1.20", "CCC")):
        (cache / "archive-v0" / key / "torch").mkdir(parents=True)
        entry = wheels / (version + "-cp313-cp313-manylinux_2_28_x86_64")
        entry.symlink_to(os.path.join("..", "..", "..", "archive-v0", key))
        for ext in (".http", ".msgpack", ".lock"):
            (wheels / (entry.name + ext)).write_text("")
    assert uvcache.evict(str(cache), "torch", "2.1.2") is True
    assert sorted(os.listdir(cache / "archive-v0")) == ["BBB", "CCC"]  # 2.10.0 and 2.1.20 are other releases
    assert not [name for name in os.listdir(wheels) if name.startswith("2.1.2-")]
    assert len(os.listdir(wheels)) == 8
    assert uvcache.evict(str(cache), "torch", "2.1.2") is False  # gone already: the caller falls back
