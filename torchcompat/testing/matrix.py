"""The torch release table as data: which Python, numpy and extra packages go with each torch minor release.

One row per minor release 1.0 ... 2.15 (its newest patch), measured on Linux x86_64 by installing each
release from PyPI into a bare venv, importing it and running a training step (see ``docs/matrix.md``).
The project's ``noxfile.py`` builds its ``tests(torch='1.8')`` sessions from this table, and so can yours::

    from torchcompat.testing import matrix

    for rel in matrix.releases(">=1.8"):
        interp = matrix.python_for(rel)             # an installed interpreter, or None
        print(rel.session, interp, matrix.requirements(rel))

``torchcompat matrix`` prints the table (text, ``--json``) or a GitHub Actions job matrix (``--github``).
This module never imports torch.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple, Union

from packaging.specifiers import SpecifierSet
from packaging.version import Version

__all__ = [
    "Release",
    "Interpreter",
    "RELEASES",
    "SUPPORTED_PYTHONS",
    "releases",
    "release",
    "requirements",
    "find_interpreters",
    "python_for",
    "pyenv_root",
    "github_matrix",
    "configure",
    "main",
]


class Release(NamedTuple):
    """One torch minor release and what it needs on Linux x86_64."""

    #: "1.8"
    minor: str
    #: its newest patch release, the one the matrix installs: "1.8.1"
    version: str
    #: the CPython minor versions with a Linux x86_64 wheel on PyPI (all cp tags of the release)
    pythons: Tuple[str, ...]
    #: the Python to use (measured: the newest with a wheel that installs, imports, trains and exits cleanly)
    python: str
    #: the numpy requirement for that Python ("numpy" = newest numpy for that Python works)
    numpy: str
    #: packages a bare venv needs that the wheel does not declare (PEP 508, with markers where Python-specific)
    extras: Tuple[str, ...]
    #: the CUDA version the PyPI wheel is built for
    cuda: str
    #: how many nvidia-* packages the PyPI wheel pulls (0: CUDA is bundled in the wheel, no extra packages)
    nvidia_packages: int
    #: Python versions ("3.9", or "3.13.0" for one patch) that have a wheel but must not be used, with why
    avoid: Tuple[Tuple[str, str], ...] = ()
    #: what else is worth knowing
    notes: str = ""

    @property
    def cuda_packages(self) -> bool:
        """True when ``pip install torch==<version>`` pulls CUDA (nvidia-*) packages: ~3-7 GB per venv."""
        return self.nvidia_packages > 0

    @property
    def session(self) -> str:
        """The nox session name: ``tests(torch='1.8')``."""
        return "tests(torch='%s')" % self.minor

    def avoided(self, python: Union[str, Sequence[int]]) -> Optional[str]:
        """Why ``python`` ("3.13.0", "3.9" or a version tuple) must not run this release, or None."""
        text = python if isinstance(python, str) else ".".join(str(p) for p in python)
        parts = text.split(".")
        for spec, why in self.avoid:
            if parts[: len(spec.split("."))] == spec.split("."):
                return why
        return None

    def as_dict(self) -> Dict[str, Any]:
        data = self._asdict()
        data["pythons"] = list(self.pythons)
        data["extras"] = list(self.extras)
        data["avoid"] = {py: why for py, why in self.avoid}
        data["cuda_packages"] = self.cuda_packages
        data["session"] = self.session
        data["requirements"] = requirements(self)
        return data


def _pys(first: str, last: str, also: Tuple[str, ...] = ()) -> Tuple[str, ...]:
    lo, hi = int(first.split(".")[1]), int(last.split(".")[1])
    return also + tuple("3.%d" % minor for minor in range(lo, hi + 1))


_NUMPY1 = "numpy<2"
_NUMPY = "numpy"
_SEGV_39 = "segfaults at interpreter exit after autograd-heavy runs (8 of 8 here; 3.8 is clean)"
_SAVE_3130 = "torch.save raises: '_pickle.Pickler' object attribute 'persistent_id' is read-only"
_NO_DYNAMO = "torch.compile does not support this Python"

#: Measured on Linux x86_64 (see /docs/matrix.md): newest patch of every minor release 1.0 ... 2.15.
RELEASES: Tuple[Release, ...] = (
    Release("1.0", "1.0.1", _pys("3.5", "3.7", ("2.7",)), "3.7", _NUMPY, ('typing; python_version < "3"',), "9.0", 0),
    Release("1.1", "1.1.0", _pys("3.5", "3.7", ("2.7",)), "3.7", _NUMPY, (), "9.0", 0),
    Release("1.2", "1.2.0", _pys("3.5", "3.7", ("2.7",)), "3.7", _NUMPY, (), "10.0", 0),
    Release("1.3", "1.3.1", _pys("3.5", "3.7", ("2.7",)), "3.7", _NUMPY, (), "10.1", 0),
    Release("1.4", "1.4.0", _pys("3.5", "3.8", ("2.7",)), "3.8", _NUMPY, ('future; python_version < "3"',), "10.1", 0),
    Release("1.5", "1.5.1", _pys("3.5", "3.8"), "3.8", _NUMPY, (), "10.2", 0),
    Release("1.6", "1.6.0", _pys("3.6", "3.8"), "3.8", _NUMPY, (), "10.2", 0,
            notes="once deadlocked at interpreter exit under load (not reproduced in 16 reruns): run under a timeout"),
    Release("1.7", "1.7.1", _pys("3.6", "3.9"), "3.8", _NUMPY1, (), "10.2", 0, (("3.9", _SEGV_39),)),
    Release("1.8", "1.8.1", _pys("3.6", "3.9"), "3.9", _NUMPY1, (), "10.2", 0),
    Release("1.9", "1.9.1", _pys("3.6", "3.9"), "3.9", _NUMPY1, (), "10.2", 0),
    Release("1.10", "1.10.2", _pys("3.6", "3.9"), "3.9", _NUMPY1, ("setuptools<67.3",), "10.2", 0,
            notes="import torch needs pkg_resources (setuptools<82; <67.3 imports it without a warning)"),
    Release("1.11", "1.11.0", _pys("3.7", "3.10"), "3.10", _NUMPY1, (), "10.2", 0),
    Release("1.12", "1.12.1", _pys("3.7", "3.10"), "3.10", _NUMPY1, (), "10.2", 0),
    Release("1.13", "1.13.1", _pys("3.7", "3.11"), "3.11", _NUMPY1, (), "11.7", 4,
            notes="first release that pulls CUDA packages"),
    Release("2.0", "2.0.1", _pys("3.8", "3.11"), "3.11", _NUMPY1, (), "11.7", 11, notes=_NO_DYNAMO + " (3.11)"),
    Release("2.1", "2.1.2", _pys("3.8", "3.11"), "3.11", _NUMPY1, ("packaging",), "12.1", 12,
            notes="the first optimizer.step() imports pkg_resources or packaging"),
    Release("2.2", "2.2.2", _pys("3.8", "3.12"), "3.12", _NUMPY1, (), "12.1", 12, notes=_NO_DYNAMO + " (3.12)"),
    Release("2.3", "2.3.1", _pys("3.8", "3.12"), "3.12", _NUMPY, (), "12.1", 12, notes=_NO_DYNAMO + " (3.12)"),
    Release("2.4", "2.4.1", _pys("3.8", "3.12"), "3.12", _NUMPY, (), "12.1", 12),
    Release("2.5", "2.5.1", _pys("3.9", "3.13"), "3.12", _NUMPY, (), "12.4", 12, (("3.13.0", _SAVE_3130),),
            notes=_NO_DYNAMO + " (3.13)"),
    Release("2.6", "2.6.0", _pys("3.9", "3.13"), "3.13", _NUMPY, (), "12.4", 13),
    Release("2.7", "2.7.1", _pys("3.9", "3.13"), "3.13", _NUMPY, (), "12.6", 14),
    Release("2.8", "2.8.0", _pys("3.9", "3.13"), "3.13", _NUMPY, (), "12.8", 14),
    Release("2.9", "2.9.1", _pys("3.10", "3.14"), "3.13", _NUMPY, (), "12.8", 15),
    Release("2.10", "2.10.0", _pys("3.10", "3.14"), "3.13", _NUMPY, (), "12.8", 15),
    Release("2.11", "2.11.0", _pys("3.10", "3.14"), "3.13", _NUMPY, (), "13.0", 15),
    Release("2.12", "2.12.1", _pys("3.10", "3.14"), "3.13", _NUMPY, (), "13.0", 15),
    Release("2.13", "2.13.0", _pys("3.10", "3.14"), "3.13", _NUMPY, (), "13.0", 15),
    Release("2.14", "2.14.1", _pys("3.10", "3.14"), "3.13", _NUMPY, (), "13.0", 15),
    Release("2.15", "2.15.0", _pys("3.11", "3.15"), "3.13", _NUMPY, (), "13.2", 15),
)  # fmt: skip

#: The Pythons torchcompat itself runs on; the matrix only picks among these.
SUPPORTED_PYTHONS = SpecifierSet(">=3.7")


def _minor_key(minor: str) -> Tuple[int, ...]:
    return tuple(int(part) for part in minor.split("."))


def _matches(rel: Release, spec: SpecifierSet) -> bool:
    """True when some patch release of ``rel``'s minor (x.y.0 ... its newest) satisfies ``spec``."""
    newest = Version(rel.version)
    return any(
        spec.contains(Version("%d.%d.%d" % (newest.major, newest.minor, patch)), prereleases=True)
        for patch in range(newest.micro + 1)
    )


def releases(torch_spec: Union[str, SpecifierSet, None] = None, python: Optional[str] = None) -> List[Release]:
    """The table, oldest first, filtered by a torch specifier (``">=1.8,<2.0"``) and by a Python with wheels.

    A minor release matches the specifier when any of its patch releases does, as pip would see it:
    ``"<=1.8"`` includes 1.8 and ``"==1.8.0"`` selects the 1.8 row (whose newest patch is 1.8.1).
    A bare version (``"1.8"``) means ``==1.8.*``.
    """
    rows = list(RELEASES)
    if torch_spec is not None and str(torch_spec).strip():
        text = str(torch_spec).strip()
        if re.match(r"^\d+(\.\d+)*$", text):
            text = "==%s.*" % text
        spec = torch_spec if isinstance(torch_spec, SpecifierSet) else SpecifierSet(text)
        rows = [rel for rel in rows if _matches(rel, spec)]
    if python is not None:
        wanted = ".".join(str(python).split(".")[:2])
        rows = [rel for rel in rows if wanted in rel.pythons]
    return rows


def release(minor: str) -> Release:
    """The row of one minor release ("1.8", or any "1.8.x"); KeyError if it is not in the table."""
    key = ".".join(str(minor).split(".")[:2])
    for rel in RELEASES:
        if rel.minor == key:
            return rel
    raise KeyError("torch %s is not in the release table (%s ... %s)" % (minor, RELEASES[0].minor, RELEASES[-1].minor))


def requirements(rel: Release) -> List[str]:
    """What to install into a bare venv for ``rel``: torch pinned, the numpy pin and the extras."""
    return ["torch==%s" % rel.version, rel.numpy] + list(rel.extras)


# -- interpreters ------------------------------------------------------------------------------------------


class Interpreter(NamedTuple):
    """An installed CPython: its path and ``(major, minor, micro)``."""

    path: str
    version: Tuple[int, int, int]

    @property
    def minor(self) -> str:
        return "%d.%d" % self.version[:2]

    def __str__(self) -> str:
        return "%s (%s)" % (self.path, ".".join(str(v) for v in self.version))


_QUERY = "import sys; print(sys.implementation.name, *sys.version_info[:3])"
_PY_NAME = re.compile(r"^python3(\.\d+)?$")
_cache: Dict[str, Optional[Interpreter]] = {}


def _query(path: str) -> Optional[Interpreter]:
    """Ask an executable for its version; None when it is not a working CPython (a pyenv shim of an
    inactive version, a broken link, PyPy ...)."""
    real = os.path.realpath(path)
    if real in _cache:
        return _cache[real]
    found = None
    try:
        out = subprocess.run(
            [path, "-E", "-S", "-c", _QUERY],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            timeout=30,
            check=False,
        )
        words = out.stdout.decode("ascii", "replace").split()
        if out.returncode == 0 and len(words) == 4 and words[0] == "cpython":
            found = Interpreter(path, (int(words[1]), int(words[2]), int(words[3])))
    except (OSError, ValueError, subprocess.SubprocessError):
        found = None
    _cache[real] = found
    return found


def pyenv_root() -> Optional[str]:
    """``$PYENV_ROOT``, else ``pyenv root``, else ``~/.pyenv`` when it exists."""
    root = os.environ.get("PYENV_ROOT")
    if not root and shutil.which("pyenv"):
        try:
            out = subprocess.run(
                ["pyenv", "root"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=30, check=False
            )
            root = out.stdout.decode().strip() if out.returncode == 0 else None
        except (OSError, subprocess.SubprocessError):
            root = None
    if not root:
        root = os.path.expanduser("~/.pyenv")
    return root if os.path.isdir(root) else None


def find_interpreters(path: Optional[str] = None, pyenv: Optional[str] = "auto") -> List[Interpreter]:
    """Installed CPythons: ``python3.X`` on ``PATH`` (or ``path``) first, then ``<pyenv root>/versions/*``.

    Every candidate is run once to read its version, so pyenv shims of inactive versions drop out.
    One interpreter per ``major.minor.micro``, the first found winning; sorted newest first.
    ``pyenv=None`` skips pyenv; ``"auto"`` finds its root with :func:`pyenv_root`.
    """
    candidates: List[str] = []
    for folder in (os.environ.get("PATH", "") if path is None else path).split(os.pathsep):
        if not folder or not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if _PY_NAME.match(name):
                candidates.append(os.path.join(folder, name))
    root = pyenv_root() if pyenv == "auto" else pyenv
    if root:
        versions = os.path.join(root, "versions")
        for name in sorted(os.listdir(versions)) if os.path.isdir(versions) else ():
            for exe in ("python3", "python"):
                full = os.path.join(versions, name, "bin", exe)
                if os.path.exists(full):
                    candidates.append(full)
                    break
    found: Dict[Tuple[int, int, int], Interpreter] = {}
    for candidate in candidates:
        interp = _query(candidate)
        if interp is not None and interp.version not in found:
            found[interp.version] = interp
    return sorted(found.values(), key=lambda i: i.version, reverse=True)


def python_for(rel: Release, interpreters: Optional[Iterable[Interpreter]] = None) -> Optional[Interpreter]:
    """The interpreter to test ``rel`` on: its measured :attr:`Release.python` if installed, else the
    newest installed Python that has a wheel, is supported by torchcompat and is not avoided; or None."""
    pool = list(find_interpreters() if interpreters is None else interpreters)
    usable = [
        i
        for i in pool
        if i.minor in rel.pythons and not rel.avoided(i.version) and SUPPORTED_PYTHONS.contains(i.minor + ".0")
    ]
    usable.sort(key=lambda i: i.version, reverse=True)
    for interp in usable:
        if interp.minor == rel.python:
            return interp
    return usable[0] if usable else None


def missing_reason(rel: Release) -> str:
    """Why :func:`python_for` found nothing for ``rel`` (for ``session.skip``)."""
    wanted = [py for py in rel.pythons if SUPPORTED_PYTHONS.contains(py + ".0")]
    return "torch %s needs CPython %s (it has wheels for %s; recommended: %s); none was found on PATH or in %s" % (
        rel.version,
        " or ".join(wanted),
        ", ".join(rel.pythons),
        rel.python,
        os.path.join(pyenv_root() or "$(pyenv root)", "versions"),
    )


# -- CLI: torchcompat matrix --------------------------------------------------------------------------------


def github_matrix(rows: Iterable[Release]) -> Dict[str, List[Dict[str, Any]]]:
    """A GitHub Actions ``strategy.matrix``: one job per nox session, with the Python to set up."""
    include = []
    for rel in rows:
        include.append(
            {
                "session": rel.session,
                "torch": rel.version,
                "python": rel.python,
                # actions/setup-python has 3.7 only up to ubuntu-22.04
                "os": "ubuntu-22.04" if _minor_key(rel.python) < (3, 8) else "ubuntu-latest",
                "cuda_packages": rel.cuda_packages,
            }
        )
    return {"include": include}


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``torchcompat matrix``."""
    parser.add_argument("--torch", metavar="SPEC", help="only releases matching a specifier, e.g. '>=1.8,<2.0'")
    parser.add_argument("--python", metavar="X.Y", help="only releases with a wheel for this Python")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the rows as JSON")
    out.add_argument("--github", action="store_true", help="print a GitHub Actions job matrix, one job per session")
    out.add_argument("--sessions", action="store_true", help="print the nox session names, one per line")
    out.add_argument(
        "--run",
        action="store_true",
        help="run the releases' nox sessions, in --jobs parallel nox processes (arguments after -- go to pytest)",
    )
    parser.add_argument(
        "--here", action="store_true", help="add the interpreter this machine would use (PATH, then pyenv)"
    )
    parser.add_argument(
        "--shard",
        metavar="K/N",
        help="only the K-th of N stripes of the releases (1.0, 1.2, ... for 1/2), to spread them over runners",
    )
    parser.add_argument(
        "-j", "--jobs", type=int, default=os.cpu_count() or 1, help="with --run: nox processes at once (default: cores)"
    )
    parser.add_argument("--noxfile", metavar="PATH", help="with --run: the noxfile (default: nox's, ./noxfile.py)")
    parser.add_argument("posargs", nargs="*", metavar="-- PYTEST_ARGS", help="with --run: passed on to the sessions")


def shard(rows: Sequence[Release], spec: str) -> List[Release]:
    """The ``K/N`` stripe of ``rows``: every N-th release from the K-th (1-based). Stripes, not halves,
    because newer releases cost more: each stripe gets old and new ones alike."""
    try:
        k, n = (int(part) for part in spec.split("/"))
    except ValueError:
        raise ValueError("--shard wants K/N with whole numbers, e.g. 1/2; got %r" % spec) from None
    if not 1 <= k <= n:
        raise ValueError("--shard K/N needs 1 <= K <= N; got %r" % spec)
    return list(rows[k - 1 :: n])


def _text(rows: List[Release], here: Optional[Dict[str, str]]) -> str:
    head = ["torch", "newest", "Pythons with wheels", "use", "numpy", "extras", "CUDA pkgs"]
    if here is not None:
        head.append("interpreter here")
    table = [head]
    for rel in rows:
        span = "%s-%s" % (rel.pythons[0], rel.pythons[-1])
        row = [
            rel.minor,
            rel.version,
            span,
            rel.python,
            rel.numpy,
            ", ".join(rel.extras) or "-",
            str(rel.nvidia_packages) if rel.nvidia_packages else "-",
        ]
        if here is not None:
            row.append(here[rel.minor])
        table.append(row)
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    """``torchcompat matrix``: print the table, filtered."""
    try:
        rows = releases(args.torch, args.python)
    except ValueError as exc:  # packaging's InvalidSpecifier
        print("torchcompat matrix: invalid --torch specifier: %s" % exc, file=sys.stderr)
        return 2
    if args.shard:
        try:
            rows = shard(rows, args.shard)
        except ValueError as exc:
            print("torchcompat matrix: %s" % exc, file=sys.stderr)
            return 2
    if args.posargs and not args.run:
        print("torchcompat matrix: arguments after -- go with --run only: %s" % " ".join(args.posargs), file=sys.stderr)
        return 2
    if args.run:
        if args.jobs < 1:
            print("torchcompat matrix: --jobs must be at least 1", file=sys.stderr)
            return 2
        from torchcompat.testing.parallel import run_streams

        return run_streams([rel.session for rel in rows], args.jobs, args.noxfile, args.posargs)
    if args.sessions:
        print("\n".join(rel.session for rel in rows))
        return 0 if rows else 1
    if args.github:
        print(json.dumps(github_matrix(rows), separators=(",", ":")))
        return 0
    here = None
    if args.here:
        pool = find_interpreters()
        here = {}
        for rel in rows:
            interp = python_for(rel, pool)
            here[rel.minor] = interp.path if interp else "none"
    if args.json:
        data = [rel.as_dict() for rel in rows]
        if here is not None:
            for item in data:
                item["interpreter"] = None if here[item["minor"]] == "none" else here[item["minor"]]
        print(json.dumps(data, indent=2))
        return 0
    if not rows:
        print("no torch release matches", file=sys.stderr)
        return 1
    print(_text(rows, here))
    return 0
