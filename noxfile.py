"""nox sessions: the test suite on every torch minor release 1.0 ... 2.15.

    nox -l                          # list the sessions
    nox -s tests                    # the suite on the current interpreter and its torch (no venv)
    nox -s "tests(torch='1.8')"     # the suite on torch 1.8.1 in a fresh uv venv
    nox -t matrix                   # every release (tags: matrix, oldest, newest)
    nox -t matrix -- -x -k linalg   # arguments after -- go to pytest
    nox -t vision                   # tests_vision(torch='1.0' / '1.8' / '2.15'): torch with its paired
                                    # torchvision/torchaudio (torchcompat.testing.pairs), `torchcompat doctor`,
                                    # then tests/test_vision*.py, tests/test_domain*.py, tests/test_doctor.py
    nox -s docs                     # regenerate docs/compatibility.md from docs/status/torch-X.Y.json,
                                    # which each matrix session writes (torchcompat.docs --snapshot)
    torchcompat matrix --run -j 2   # the matrix sessions as 2 parallel nox processes (nox runs one at a time)

The sessions come from ``torchcompat.testing.matrix`` (the release table): each runs on the table's
Python for that release, found on PATH or under ``$(pyenv root)/versions``; without one the session
skips and says which Python it needs. Venvs are made by uv with one shared cache and hardlinks
(``UV_LINK_MODE=hardlink``), so a venv costs only its bytecode, and each is deleted after its session
(``TORCHCOMPAT_KEEP_VENVS=1`` keeps them). The bytecode outlives the venvs in ``.nox/_pycache``
(``TORCHCOMPAT_NOX_PYCACHE=0`` turns that off). Keeping every release's torch and CUDA packages takes the
uv cache to ~60 GB (measured), hence the eviction option below.
``TORCHCOMPAT_JUNIT_DIR=dir`` writes ``dir/torch-1.8.xml`` per release; ``TORCHCOMPAT_PYTEST_TIMEOUT``
(seconds, default 1200) bounds each pytest run. ``TORCHCOMPAT_PRUNE_UV_CACHE=30`` evicts a session's
torch and triton from the uv cache after it when less than 30 GB are free (the nvidia-* wheels stay):
without it the full matrix's cache outgrows this machine's disk.
"""

from __future__ import annotations

import glob
import os
import shutil
import sys
from typing import Dict, List

import nox
import nox.virtualenv

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torchcompat.testing import matrix, pairs, uvcache  # never import torch

ROOT = os.path.dirname(os.path.abspath(__file__))

nox.options.default_venv_backend = "uv"
nox.options.sessions = ["tests"]  # plain `nox` runs the fast suite only

#: Environment of every matrix install: one shared uv cache, hardlinked into the venvs; pip (if a user
#: swaps the backend) must not apply this machine's torch cap from pip.conf.
INSTALL_ENV = {"UV_LINK_MODE": "hardlink", "PIP_CONSTRAINT": "/dev/null"}
TEST_DEPS = ("pytest", "hypothesis")
#: Per-session limit for pytest: some old releases can hang at interpreter exit (1.6 once did here).
PYTEST_TIMEOUT_S = os.environ.get("TORCHCOMPAT_PYTEST_TIMEOUT", "1200")

_INTERPRETERS = matrix.find_interpreters()


@nox.session(python=False)
def tests(session: nox.Session) -> None:
    """The test suite on the current interpreter and its installed torch."""
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(python=False)
def docs(session: nox.Session) -> None:
    """Regenerate docs/compatibility.md from the shift registry (current interpreter and torch)."""
    session.run("python", "-m", "torchcompat.docs", "--write", "docs/compatibility.md")


_WHEEL: List[str] = []
UV = getattr(nox.virtualenv, "UV", "uv")  # the uv nox itself uses (its package's binary, or PATH's)


def _package_wheel(session: nox.Session) -> str:
    """Build torchcompat's (pure-Python) wheel once per nox run into .nox/_dist/<pid>; return its path."""
    if not _WHEEL:
        out = os.path.join(ROOT, ".nox", "_dist", str(os.getpid()))  # one per nox process: runs may overlap
        shutil.rmtree(out, ignore_errors=True)
        session.run_install(
            UV, "build", "--wheel", "--out-dir", out, "--python", sys.executable, ROOT, external=True, silent=True
        )
        _WHEEL.extend(glob.glob(os.path.join(out, "pytorch_compat-*.whl")))  # the distribution is pytorch-compat
    return _WHEEL[0]


def _run_matrix(session: nox.Session, rel: matrix.Release, vision: bool = False) -> None:
    session.env.update(INSTALL_ENV)
    try:
        # torch, numpy pin and extras, test tools. uv installs no bytecode, and with PYTHONDONTWRITEBYTECODE=1
        # (set machine-wide here) every process would compile torch's modules again (~1 s per import).
        # `--compile-bytecode` compiles all ~15k files of a CUDA torch: minutes on a busy 2-core machine. So
        # by default the tests run with bytecode writing on: the first import writes .pyc for the modules
        # actually used, and later processes reuse them. TORCHCOMPAT_NOX_COMPILE=1 compiles at install.
        compile_all = os.environ.get("TORCHCOMPAT_NOX_COMPILE") == "1"
        paired = pairs.requirements(rel.version) if vision else []  # torchvision/torchaudio of the pair
        session.install(
            *(["--compile-bytecode"] if compile_all else []),
            *matrix.requirements(rel),
            *paired,
            "packaging",
            *TEST_DEPS,
        )
        session.env["PYTHONDONTWRITEBYTECODE"] = None  # None unsets it for the commands below
        _share_bytecode(session)
        # earlier sessions of this run rewrite docs/status/: the table's staleness test is the fast suite's
        session.env["TORCHCOMPAT_MATRIX_SESSION"] = rel.minor
        # the package itself, as users install it: one wheel per nox run, built once (a build per session
        # costs ~9 s here), installed without dependencies
        session.install("--no-deps", _package_wheel(session))
        runner = ["timeout", "--kill-after=30", PYTEST_TIMEOUT_S] if shutil.which("timeout") else []
        report = []
        if os.environ.get("TORCHCOMPAT_JUNIT_DIR"):  # one JUnit XML per release, e.g. for CI artifacts
            report = ["--junitxml=%s" % os.path.join(os.environ["TORCHCOMPAT_JUNIT_DIR"], "torch-%s.xml" % rel.minor)]
        if vision:  # the pair is healthy by the doctor's table, then the domain-library tests
            session.run("python", "-m", "torchcompat", "doctor")
        selected = list(session.posargs) or (_vision_tests() if vision else [])
        try:
            session.run(*runner, "python", "-m", "pytest", *report, *selected, external=True)
        finally:
            # this release's adapter status, docs/status/torch-X.Y.json, from which `nox -s docs` renders the
            # table; written after the tests, so that their staleness check reads the committed snapshots
            if not vision:  # the snapshots describe torch alone
                session.run("python", "-m", "torchcompat.docs", "--snapshot")
    finally:
        keep = os.environ.get("TORCHCOMPAT_KEEP_VENVS") == "1" or getattr(session.virtualenv, "_reused", False)
        location = getattr(session.virtualenv, "location", None)
        installed = uvcache.installed_versions(location, ("torch", "triton")) if location else {}
        if not keep and location and os.path.isdir(location):
            shutil.rmtree(location, ignore_errors=True)
        _prune_uv_cache(session, installed)


def _share_bytecode(session: nox.Session) -> None:
    """Keep the venv's bytecode in .nox/_pycache (``PYTHONPYCACHEPREFIX``, Python >= 3.8), so that it outlives
    the venv: the first ``import torch`` of a fresh 2.x venv compiles ~1,500 modules (5-10 s, more for
    torch._dynamo later), and the next run of the session finds them compiled. The cached .pyc stay valid
    because uv hardlinks torch's files from its cache: same file, same mtime and size. torchcompat's own
    entry is dropped first: its wheel may carry fixed timestamps, so an edit of the same size could pass the
    mtime check. ``TORCHCOMPAT_NOX_PYCACHE=0`` turns this off."""
    if os.environ.get("TORCHCOMPAT_NOX_PYCACHE") == "0":
        return
    prefix = os.path.join(ROOT, ".nox", "_pycache")
    location = os.path.abspath(getattr(session.virtualenv, "location", "") or "")
    if location:
        mirror = os.path.join(prefix, location.lstrip(os.sep))
        for own in glob.glob(os.path.join(mirror, "lib", "python*", "site-packages", "torchcompat")):
            shutil.rmtree(own, ignore_errors=True)
    session.env["PYTHONPYCACHEPREFIX"] = prefix


def _prune_uv_cache(session: nox.Session, installed: Dict[str, str]) -> None:
    """With TORCHCOMPAT_PRUNE_UV_CACHE=N (GB): when less than N GB are free after a session, evict that
    session's torch and triton from the uv cache (``torchcompat.testing.uvcache``); the shared nvidia-* wheels
    stay. Where the cache layout is not the one known there, ``uv cache clean torch triton`` drops every torch
    instead."""
    limit = os.environ.get("TORCHCOMPAT_PRUNE_UV_CACHE")
    if not limit:
        return
    cache = os.environ.get("UV_CACHE_DIR") or os.path.expanduser("~/.cache/uv")
    free_gb = shutil.disk_usage(cache if os.path.isdir(cache) else os.path.expanduser("~")).free / 1e9
    if free_gb >= float(limit):
        return
    evicted = {name: version for name, version in installed.items() if uvcache.evict(cache, name, version)}
    if "torch" in evicted:
        freed = shutil.disk_usage(cache).free / 1e9 - free_gb
        names = ", ".join("%s %s" % item for item in sorted(evicted.items()))
        session.log("%.1f GB free (< %s GB): evicted %s from the uv cache (%.1f GB)" % (free_gb, limit, names, freed))
        return
    session.log("%.1f GB free (< %s GB): removing torch and triton from the uv cache" % (free_gb, limit))
    session.run_install(UV, "cache", "clean", "torch", "triton", external=True, silent=True)


def _skip(reason: str):  # -> session function
    def session_func(session: nox.Session) -> None:
        session.skip(reason)

    return session_func


def _register(rel: matrix.Release) -> None:
    tags = ["matrix"]
    if rel is matrix.RELEASES[0]:
        tags.append("oldest")
    if rel is matrix.RELEASES[-1]:
        tags.append("newest")
    interp = matrix.python_for(rel, _INTERPRETERS)
    if interp is None:
        func = _skip(matrix.missing_reason(rel))
        python = False  # type: object
    else:

        def func(session: nox.Session) -> None:
            _run_matrix(session, rel)

        python = interp.path
    func.__doc__ = "torch %s on Python %s, %s%s" % (
        rel.version,
        interp.minor if interp else rel.python + " (missing: skips)",
        rel.numpy,
        ", CUDA packages" if rel.cuda_packages else "",
    )
    nox.session(name=rel.session, python=python, tags=tags, default=False)(func)


for _rel in matrix.RELEASES:
    _register(_rel)


#: The releases with a ``tests_vision(torch=...)`` session: the oldest, one middle and the newest.
VISION_RELEASES = ("1.0", "1.8", "2.15")


def _vision_tests() -> List[str]:
    """The domain-library test files (tests/test_vision*.py, tests/test_domain*.py) and the doctor's."""
    found = [glob.glob(os.path.join("tests", pattern)) for pattern in ("test_vision*.py", "test_domain*.py")]
    return sorted(path for paths in found for path in paths) + ["tests/test_doctor.py"]


def _register_vision(rel: matrix.Release) -> None:
    interp = matrix.python_for(rel, _INTERPRETERS)
    if interp is None:
        func = _skip(matrix.missing_reason(rel))
    else:

        def func(session: nox.Session) -> None:
            _run_matrix(session, rel, vision=True)

    func.__doc__ = "torch %s with %s: `torchcompat doctor`, then the domain-library tests" % (
        rel.version,
        ", ".join(pairs.requirements(rel.version)),
    )
    name = "tests_vision(torch='%s')" % rel.minor
    nox.session(name=name, python=interp.path if interp else False, tags=["vision"], default=False)(func)


for _minor in VISION_RELEASES:
    _register_vision(matrix.release(_minor))
