"""``torchcompat doctor``: check this environment's torch, torchvision, torchaudio and numpy against the
measured tables, and say in one line each what is wrong and the command that fixes it.

Facts come from two places: the installed distributions' metadata (read from ``*.dist-info`` folders, no
import), and one subprocess of this interpreter that imports torch, numpy, torchvision and torchaudio in turn
and reports after each step, so a broken pair (an import that raises, or kills the process) is reported,
never fatal. CUDA is never initialised (builds are read from ``torch.version`` / ``torchvision.version``).
:func:`diagnose` is the decision table: a pure function of those facts, tested on fake metadata. Only the
standard library: the doctor must run where ``packaging`` or torch itself is missing or broken.
"""

from __future__ import annotations

import argparse
import glob
import importlib.util
import json
import os
import re
import subprocess
import sys
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

from torchcompat.testing.pairs import PAIRS, accepts, release_tuple, torch_for

__all__ = ["Problem", "gather", "diagnose", "probe", "installed", "configure", "main"]

#: error/warning: something is wrong (exit status 1); note: worth knowing, the environment still counts as healthy
ERROR, WARNING, NOTE = "error", "warning", "note"

#: torch releases whose ``import torch`` needs ``pkg_resources`` (setuptools < 82), measured by the matrix
NEEDS_PKG_RESOURCES = ("1.10",)
#: torch releases whose first ``optimizer.step()`` imports ``pkg_resources`` or ``packaging`` (measured)
NEEDS_PACKAGING = ("2.1",)
#: what ``import torch.utils.cpp_extension`` (building C++/CUDA extensions) needs, measured in bare uv venvs:
#: 1.0 ... 1.12 and 2.1 ... 2.3 fail without setuptools ("No module named 'setuptools'"); 1.13 and 2.0 fail beside
#: setuptools 84, which no longer ships pkg_resources ("No module named 'pkg_resources'"); 2.4 ... 2.15 import it
#: beside setuptools 84. (1.10 was only seen with its setuptools<67.3, which ``import torch`` needs anyway.)
CPP_EXTENSION_NEEDS = dict.fromkeys(["1.%d" % minor for minor in range(13)] + ["2.1", "2.2", "2.3"], "setuptools")
CPP_EXTENSION_NEEDS.update(dict.fromkeys(["1.13", "2.0"], "pkg_resources"))
#: the unrelated PyPI project that is also imported as ``torchcompat`` (see torchcompat/_namesake.py)
NAMESAKE_DIST = "torchcompat"
OWN_DIST = "pytorch-compat"

#: Run by this interpreter in a subprocess: one ``TCDOCTOR {json}`` line per step, flushed, so that a step
#: that crashes the process leaves the earlier ones. Python 3.7 syntax; never touches CUDA.
PROBE = r"""
import json, os, sys, traceback, warnings
def say(step, **data):
    data["step"] = step
    sys.stdout.write("TCDOCTOR " + json.dumps(data) + "\n"); sys.stdout.flush()
def err(exc):
    lines = [l for l in traceback.format_exception_only(type(exc), exc) if l.strip()]
    return lines[-1].strip()[:400] if lines else type(exc).__name__
def cuda_text(value):
    if isinstance(value, int):
        return "%d.%d" % (value // 1000, value % 1000 // 10) if value > 0 else None
    return str(value) if value and str(value) not in ("cpu", "None", "-1") else None
torch = None
try:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import torch
    v = getattr(torch, "version", None)
    say("torch", version=str(torch.__version__), cuda=cuda_text(getattr(v, "cuda", None)),
        hip=getattr(v, "hip", None) or None, warnings=[str(w.message)[:300] for w in caught][:3])
except BaseException as exc:
    say("torch", error=err(exc))
try:
    import numpy
    data = {"version": str(numpy.__version__)}
    if torch is not None:
        try:
            data["from_numpy"] = float(torch.from_numpy(numpy.ones(2)).sum())
        except BaseException as exc:
            data["from_numpy_error"] = err(exc)
    say("numpy", **data)
except BaseException as exc:
    say("numpy", error=err(exc))
if torch is not None:
    try:
        import torchvision
        ver = getattr(torchvision, "version", None)
        data = {"version": str(torchvision.__version__), "cuda": cuda_text(getattr(ver, "cuda", None)),
                "cuda_known": hasattr(ver, "cuda")}
        try:
            import torchvision.ops
            boxes = torch.tensor([[0.0, 0.0, 10.0, 10.0], [1.0, 1.0, 11.0, 11.0]])
            data["nms"] = torchvision.ops.nms(boxes, torch.tensor([0.9, 0.8]), 0.5).tolist()
        except ImportError as exc:
            data["nms"] = None  # 0.2.x: no torchvision.ops
        except BaseException as exc:
            data["op_error"] = err(exc)
        say("torchvision", **data)
    except BaseException as exc:
        say("torchvision", error=err(exc))
    try:
        import torchaudio
        say("torchaudio", version=str(torchaudio.__version__))
    except BaseException as exc:
        say("torchaudio", error=err(exc))
sys.stdout.flush()
os._exit(0)  # torch 1.7 on Python 3.9 can segfault at interpreter exit: the facts are out already
"""


class Problem(NamedTuple):
    """One thing wrong with the environment, and the command that fixes it."""

    code: str
    level: str
    message: str
    fix: str

    def line(self) -> str:
        return "%s: %s%s" % (self.level, self.message, (": " + self.fix) if self.fix else "")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def installed(names: Tuple[str, ...], paths: Optional[List[str]] = None) -> Dict[str, str]:
    """Versions of the distributions ``names`` visible on ``sys.path`` (first one wins, as for imports),
    read from their ``.dist-info`` / ``.egg-info`` folder names and METADATA; no import, no packaging."""
    wanted = {_norm(name): name for name in names}
    found: Dict[str, str] = {}
    for entry in sys.path if paths is None else paths:
        if not isinstance(entry, str) or not os.path.isdir(entry or os.curdir):
            continue
        for info in sorted(glob.glob(os.path.join(entry or os.curdir, "*.*-info"))):
            base = os.path.basename(info)
            if not base.endswith((".dist-info", ".egg-info")):
                continue
            stem = base.rsplit(".", 1)[0]
            name, _, version = stem.partition("-")
            key = _norm(name)
            if key in wanted and wanted[key] not in found:
                found[wanted[key]] = _metadata_version(info) or version.split("-")[0]
    return found


def _metadata_version(info: str) -> Optional[str]:
    for leaf in ("METADATA", "PKG-INFO"):
        path = os.path.join(info, leaf)
        if os.path.isfile(path):
            try:
                with open(path, encoding="utf-8", errors="replace") as handle:
                    for line in handle:
                        if line.startswith("Version:"):
                            return line.split(":", 1)[1].strip()
                        if not line.strip():
                            break
            except OSError:
                return None
    return None


def _bundles_cudart(name: str) -> bool:
    """True when the installed ``name`` wheel vendors libcudart (``name.libs/libcudart*``): a CUDA build,
    seen without importing it (the import is what fails beside a CPU torch)."""
    for entry in sys.path:
        if isinstance(entry, str) and os.path.isdir(os.path.join(entry or os.curdir, name)):
            return bool(glob.glob(os.path.join(entry or os.curdir, name + ".libs", "libcudart*")))
    return False


def probe(python: Optional[str] = None, timeout: float = 300.0) -> Dict[str, Any]:
    """Run :data:`PROBE` in a subprocess of ``python`` (default: this interpreter); its steps by name, plus
    ``returncode`` and the tail of stderr when it died before the end."""
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    try:
        done = subprocess.run(
            [python or sys.executable, "-c", PROBE],
            capture_output=True,
            env=env,
            timeout=timeout,
        )
        out, errtext, code = done.stdout, done.stderr, done.returncode
    except subprocess.TimeoutExpired as exc:
        out, errtext, code = exc.stdout or b"", exc.stderr or b"", None
    steps: Dict[str, Any] = {}
    for raw in out.decode("utf-8", "replace").splitlines():
        if raw.startswith("TCDOCTOR "):
            data = json.loads(raw[len("TCDOCTOR ") :])
            steps[data.pop("step")] = data
    steps["returncode"] = code
    if code != 0:
        steps["stderr"] = errtext.decode("utf-8", "replace")[-600:]
    return steps


def gather(run_probe: bool = True) -> Dict[str, Any]:
    """The facts :func:`diagnose` decides on, for this interpreter."""
    from torchcompat._namesake import find_namesake

    names = ("torch", "torchvision", "torchaudio", "numpy", "setuptools", "packaging", NAMESAKE_DIST, OWN_DIST)
    facts: Dict[str, Any] = {
        "python": "%d.%d.%d" % sys.version_info[:3],
        "executable": sys.executable,
        "dists": installed(names),
        "pkg_resources": importlib.util.find_spec("pkg_resources") is not None,
        "setuptools": importlib.util.find_spec("setuptools") is not None,
        "packaging": importlib.util.find_spec("packaging") is not None,
    }
    facts["bundles_cudart"] = [name for name in ("torchvision", "torchaudio") if _bundles_cudart(name)]
    try:
        facts["namesake"] = find_namesake()
    except Exception:  # pragma: no cover - detection never breaks the doctor
        facts["namesake"] = None
    facts["probe"] = probe() if run_probe and "torch" in facts["dists"] else {}
    return facts


def _pip(*args: str) -> str:
    return "pip install " + " ".join(args)


def _index_for(torch_version: str, cuda: Optional[str]) -> str:
    """The PyTorch index that serves builds matching this torch (``--index-url ...``), or "" for PyPI.
    ``torch_version`` is the installed distribution's (PyPI's 1.8.1 says "1.8.1" there, "1.8.1+cu102" at run time)."""
    local = torch_version.partition("+")[2]
    if local == "cpu" or (not cuda and release_tuple(torch_version) >= (1, 13)):
        return " --index-url https://download.pytorch.org/whl/cpu"
    if re.match(r"^(cu\d+|rocm[\d.]+)$", local):
        return " --index-url https://download.pytorch.org/whl/" + local
    return ""


def _avoided(torch_version: str, python: str) -> Optional[str]:
    """Why the release table says this Python must not run this torch, or None (None too without packaging)."""
    try:
        from torchcompat.testing import matrix
    except ImportError:  # packaging missing: reported separately
        return None
    try:
        rel = matrix.release(torch_version)
    except KeyError:
        return None
    return rel.avoided(python)


def _short(text: str, limit: int = 160) -> str:
    """The first sentence of an error text, at most ``limit`` characters."""
    text = " ".join(text.split())
    first = re.split(r"(?<=[a-z0-9)])\. ", text, maxsplit=1)[0]
    return first if len(first) <= limit else first[: limit - 3] + "..."


def _library(
    name: str,
    torch_version: str,
    torch_cuda: Optional[str],
    step: Dict[str, Any],
    version: Optional[str],
    facts_cudart: bool = False,
    index: str = "",
) -> List[Problem]:
    """The problems of torchvision or torchaudio beside this torch."""
    problems: List[Problem] = []
    row = PAIRS.get(".".join(str(p) for p in release_tuple(torch_version)[:2]))
    version = step.get("version") or version
    if not version:
        return problems
    want = getattr(row, name) if row else None
    ok = getattr(row, name + "_ok") if row else ()
    failure = _short(step.get("error") or step.get("op_error") or "")
    fixed = (want or version).partition("+")[0]
    reinstall = _pip("--force-reinstall --no-deps %s==%s%s" % (name, fixed, index))
    if row is not None and not accepts(ok, version):
        made_for = torch_for(name, version)
        made = "made for torch %s" % " / ".join(made_for) if made_for else "not paired with any torch 1.0 ... 2.15"
        if not want:
            reinstall = "pip uninstall %s (PyPI has no %s for torch %s)" % (name, name, torch_version)
        message = "%s %s is %s, not torch %s" % (name, version, made, torch_version)
        problems.append(Problem(name + "-version", ERROR, message + (" (%s)" % failure if failure else ""), reinstall))
        return problems
    lib_cuda = step.get("cuda")
    if "PILLOW_VERSION" in failure:  # measured: torchvision 0.2.2 ... 0.4.2 import it; Pillow 7 removed it
        problems.append(Problem("pillow", ERROR, "%s %s needs Pillow < 7 (%s)" % (name, version, failure),
                                _pip('"pillow<7"')))  # fmt: skip
        return problems
    if failure:
        if lib_cuda is None and not torch_cuda and facts_cudart:
            failure += "; it is a CUDA build (bundles libcudart) beside a CPU torch"
        problems.append(
            Problem(name + "-import", ERROR, "%s %s fails beside torch %s: %s" % (name, version, torch_version, failure),
                    reinstall)
        )  # fmt: skip
        return problems
    if name == "torchvision" and step.get("cuda_known") and lib_cuda != torch_cuda and (lib_cuda or torch_cuda):
        if lib_cuda and not torch_cuda:
            what = "a CUDA %s build beside a CPU torch (its operators do not load: torchvision::nms)" % lib_cuda
            level = ERROR
        elif torch_cuda and not lib_cuda:
            what = "a CPU build beside torch built for CUDA %s (no CUDA kernels for its ops)" % torch_cuda
            level = WARNING
        else:
            what = "built for CUDA %s, torch for CUDA %s" % (lib_cuda, torch_cuda)
            level = ERROR if str(lib_cuda).split(".")[0] != str(torch_cuda).split(".")[0] else WARNING
        problems.append(Problem("torchvision-build", level, "torchvision %s is %s" % (version, what), reinstall))
    return problems


def diagnose(facts: Dict[str, Any]) -> List[Problem]:
    """The decision table: every problem the facts show (empty: healthy)."""
    problems: List[Problem] = []
    dists: Dict[str, str] = facts.get("dists", {})
    python = facts.get("python", "")
    steps: Dict[str, Any] = facts.get("probe", {})
    if facts.get("namesake") or NAMESAKE_DIST in dists:
        where = facts.get("namesake") or "site-packages"
        problems.append(
            Problem(
                "namesake",
                ERROR,
                "the unrelated PyPI package 'torchcompat' %sis installed at %s and shares this package's import name"
                % ("%s " % dists[NAMESAKE_DIST] if NAMESAKE_DIST in dists else "", where),
                "pip uninstall torchcompat && pip install --force-reinstall %s" % OWN_DIST,
            )
        )
    torch_step = steps.get("torch", {})
    torch_version = torch_step.get("version") or dists.get("torch")
    if not torch_version:
        if not facts.get("packaging", True):
            problems.append(
                Problem("packaging", ERROR, "packaging is missing (torchcompat needs it)", _pip("packaging"))
            )
        problems.append(Problem("torch-missing", ERROR, "torch is not installed", _pip("torch")))
        return problems
    rel = release_tuple(torch_version)
    minor = ".".join(str(p) for p in rel[:2])
    torch_cuda = torch_step.get("cuda")
    if re.search(r"\d(a|b|rc|\.dev)\d*", torch_version.partition("+")[0]) or "+git" in torch_version:
        problems.append(
            Problem(
                "distro-build",
                WARNING,
                "torch %s is a distribution or source build: PyPI's torchvision/torchaudio wheels are built against "
                "PyPI's torch and may not load beside it" % torch_version,
                "install torchvision/torchaudio from the same source as torch (e.g. the distribution's "
                "python3-torchvision package), or build them from source against it",
            )
        )
    if minor in NEEDS_PKG_RESOURCES and not facts.get("pkg_resources", True):
        problems.append(
            Problem("setuptools", ERROR, "torch %s imports pkg_resources, which is missing" % torch_version,
                    _pip('"setuptools<67.3"'))
        )  # fmt: skip
    if not facts.get("packaging", True):
        step = minor in NEEDS_PACKAGING and not facts.get("pkg_resources", True)
        also = ", and torch %s's first optimizer.step() imports it" % torch_version if step else ""
        problems.append(Problem("packaging", ERROR, "packaging is missing (torchcompat needs it%s)" % also,
                                _pip("packaging")))  # fmt: skip
    numpy_version = steps.get("numpy", {}).get("version") or dists.get("numpy")
    numpy2 = bool(numpy_version and rel and rel < (2, 3) and release_tuple(numpy_version) >= (2,))
    if torch_step.get("error") and not numpy2:
        problems.append(
            Problem("torch-import", ERROR, "import torch fails: %s" % _short(torch_step["error"]),
                    _pip("--force-reinstall torch==%s" % torch_version.partition("+")[0]))
        )  # fmt: skip
    if numpy2:
        seen = steps.get("numpy", {}).get("from_numpy_error") or (
            "import torch: " + torch_step["error"] if torch_step.get("error") else None
        )
        problems.append(
            Problem(
                "numpy2",
                ERROR,
                "NumPy %s with torch %s, which was built against NumPy 1%s"
                % (numpy_version, torch_version, " (%s)" % _short(seen) if seen else ""),
                _pip('"numpy<2"'),
            )
        )
    need = CPP_EXTENSION_NEEDS.get(minor)
    if need and not facts.get(need, True):
        pin = '"setuptools<82"' if need == "pkg_resources" else "setuptools"
        problems.append(
            Problem("cpp-extension", NOTE, "torch %s's torch.utils.cpp_extension imports %s, missing here (only "
                    "building C++/CUDA extensions needs it)" % (torch_version, need), _pip(pin))
        )  # fmt: skip
    why = _avoided(torch_version, python) if python else None
    if why:
        problems.append(
            Problem("python", ERROR, "torch %s on Python %s: %s" % (torch_version, python, why),
                    "use another Python for this torch (see `torchcompat matrix`)")
        )  # fmt: skip
    index = _index_for(dists.get("torch") or torch_version, torch_cuda)
    for name in ("torchvision", "torchaudio"):
        if name in steps or name in dists:
            cudart = name in facts.get("bundles_cudart", ())
            step = steps.get(name, {})
            problems.extend(_library(name, torch_version, torch_cuda, step, dists.get(name), cudart, index))
    code = steps.get("returncode", 0)
    if steps and code != 0:
        order = ["torch", "numpy"] + (["torchvision", "torchaudio"] if "error" not in torch_step else [])
        culprit = next((step for step in order if step not in steps), "the end")
        how = "timed out" if code is None else "exit %s" % code
        problems.append(
            Problem("crash", ERROR, "the probe process died (%s) at %s: %s"
                    % (how, culprit, (steps.get("stderr") or "").strip()[-200:] or "no output"),
                    "reinstall %s (the table's pair: `torchcompat doctor --json` shows it)" % culprit)
        )  # fmt: skip
    return problems


def _summary(facts: Dict[str, Any]) -> str:
    steps = facts.get("probe", {})
    dists = facts.get("dists", {})
    parts = ["Python %s" % facts.get("python")]
    for name in ("torch", "torchvision", "torchaudio", "numpy"):
        version = steps.get(name, {}).get("version") or dists.get(name)
        if version:
            cuda = steps.get(name, {}).get("cuda")
            parts.append("%s %s%s" % (name, version, " (CUDA %s)" % cuda if cuda else ""))
    return ", ".join(parts)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the facts and problems as JSON")


def main(args: argparse.Namespace) -> int:
    facts = gather()
    problems = diagnose(facts)
    healthy = all(problem.level == NOTE for problem in problems)
    if args.json:
        print(json.dumps({"healthy": healthy, "facts": facts,
                          "problems": [p._asdict() for p in problems]}, indent=2, sort_keys=True))  # fmt: skip
    else:
        print(_summary(facts))
        for problem in problems:
            print(problem.line())
        count = sum(1 for problem in problems if problem.level != NOTE)
        print("healthy" if healthy else "%d problem%s" % (count, "s" if count > 1 else ""))
    return 0 if healthy else 1
