"""``torchcompat run --trace trace.json``: run-time evidence for ``torchcompat migrate --trace``.

While tracing, every restore's use (:func:`torchcompat.legacy.engine.note`) and every meaning-changed
operation the script performs (``/`` on tensors, ``F.softmax`` without ``dim``, ``x[0]`` on a 0-dim tensor,
iteration over a tensor, a uint8 tensor used as a mask or an index) is recorded with its site (file, line and,
on Python 3.11+, the column span of the instruction from ``co_positions()``), the operands' dtypes and shapes
and a count; the lines each project file executed are recorded too, so that migrate never guesses on a line
the run did not reach. Observers are installed only while tracing, through the engine's own change records,
and undone exactly (LIFO) before the restores are. The trace is JSON with a ``version`` field, written
atomically when the run ends (also on failure or ``sys.exit``); ``append=True`` merges into an existing file.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import types
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from torchcompat.legacy import engine
from torchcompat.tracefile import VERSION, load, merge

__all__ = ["VERSION", "Tracer", "start", "stop", "active", "load", "merge", "request", "begin", "end", "current"]


_PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_THIRD_PARTY = (os.sep + "site-packages" + os.sep, os.sep + "dist-packages" + os.sep)
_tracer: Optional["Tracer"] = None
_busy = threading.local()

Span = Tuple[int, Optional[int], Optional[int], Optional[int]]


def active() -> bool:
    """Is a trace being recorded now?"""
    return _tracer is not None


def _describe(value: Any, torch: Any) -> Dict[str, Any]:
    """An operand as the trace keeps it: a tensor's dtype and shape, a number's type (signs go apart)."""
    if isinstance(value, torch.Tensor):
        found = {"dtype": str(value.dtype).replace("torch.", ""), "shape": list(value.shape)}
        if value.requires_grad:
            found["grad"] = True
        return found
    return {"type": type(value).__name__}


def _negative(value: Any, torch: Any) -> bool:
    """Can this integer operand be negative (a tensor holding a negative value, a negative int)?"""
    if value.__class__ is int:
        return value < 0
    if isinstance(value, torch.Tensor) and not value.dtype.is_floating_point and value.numel():
        try:
            return bool((value < 0).any())
        except Exception:  # an unsigned or odd dtype
            return False
    return False


def _text_digest(path: str) -> Optional[str]:
    """sha256 of a source file's text (decoded as Python decodes it, without a BOM) in UTF-8; of a notebook,
    its code text (:func:`torchcompat.notebook.code_text`, the text ``migrate`` analyses, whose lines the
    run executed): outputs, execution counts and metadata are no part of it."""
    import hashlib
    import io
    import tokenize

    try:
        with open(path, "rb") as handle:
            data = handle.read()
        if path.lower().endswith(".ipynb"):
            from torchcompat import notebook

            try:
                return hashlib.sha256(notebook.code_text(notebook.parse(data)).encode("utf-8")).hexdigest()
            except notebook.NotebookError:
                return None
        encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
        return hashlib.sha256(data.decode(encoding).encode("utf-8")).hexdigest()
    except (OSError, SyntaxError, LookupError, UnicodeDecodeError):
        return None


class Tracer:
    """Collects events and executed lines for files under ``roots``; :meth:`write` saves them as JSON."""

    def __init__(self, path: str, roots: Iterable[str], torch: Any, append: bool = False) -> None:
        self.path = os.path.abspath(path)
        self.append = append
        self.torch = torch
        self.roots = tuple(os.path.join(os.path.realpath(r), "") for r in roots)
        torch_dir = os.path.dirname(os.path.abspath(getattr(torch, "__file__", "") or "")) + os.sep
        self.skip = (_PKG, torch_dir) if torch_dir != os.sep else (_PKG,)
        #: (realpath, span, kind, operands json, detail json) -> [count, any_negative]
        self.events: Dict[Tuple[str, Span, str, str, str], List[Any]] = {}
        self.lines: Dict[str, set] = {}
        #: realpath -> sha256 of its decoded text: migrate uses the evidence only on that very text
        self.digests: Dict[str, Optional[str]] = {}
        self._covered: Dict[str, Optional[str]] = {}  # co_filename -> realpath when covered, else None
        self._positions: Dict[Any, List[Any]] = {}
        self.changes: List[Any] = []
        self.runs: List[Dict[str, Any]] = []

    # -- sites ------------------------------------------------------------------------------------
    def covered(self, filename: str) -> Optional[str]:
        """The real path of ``filename`` when it is project code the trace covers, else None."""
        try:
            return self._covered[filename]
        except KeyError:
            pass
        found: Optional[str] = None
        if not filename.startswith("<"):
            real = os.path.realpath(os.path.abspath(filename))
            if (
                real.startswith(self.roots)
                and not real.startswith(self.skip)
                and not any(part in real for part in _THIRD_PARTY)
            ):
                found = real
        self._covered[filename] = found
        if found is not None and found not in self.digests:
            self.digests[found] = _text_digest(found)
        return found

    def site(self, frame: Optional[types.FrameType]) -> Optional[Tuple[str, Span]]:
        """The first frame outside torch and torchcompat, as (real path, (line, col, end line, end col));
        None when that frame is not covered project code."""
        while frame is not None:
            filename = frame.f_code.co_filename
            if not filename.startswith(self.skip) and not filename.startswith("<frozen"):
                real = self.covered(filename)
                if real is None:
                    return None
                return real, self._span(frame)
            frame = frame.f_back
        return None

    def _span(self, frame: types.FrameType) -> Span:
        code = frame.f_code
        positions = self._positions.get(code)
        if positions is None:
            getter = getattr(code, "co_positions", None)
            positions = self._positions[code] = list(getter()) if getter is not None else []
        index = frame.f_lasti // 2
        if 0 <= index < len(positions):
            line, end_line, col, end_col = positions[index]
            if line is not None and col is not None:
                return (line, col, end_line, end_col)
        return (frame.f_lineno, None, None, None)

    # -- events -----------------------------------------------------------------------------------
    def record(
        self, kind: str, frame: Optional[types.FrameType], operands: tuple = (), detail: Optional[Dict] = None
    ) -> None:
        """Count one event of ``kind`` at the site of ``frame`` with ``operands`` (values) and ``detail``."""
        if getattr(_busy, "on", False):
            return
        _busy.on = True
        try:
            where = self.site(frame)
            if where is None:
                return
            torch = self.torch
            described = json.dumps([_describe(v, torch) for v in operands], sort_keys=True)
            negative = any(_negative(v, torch) for v in operands)
            key = (where[0], where[1], kind, described, json.dumps(detail or {}, sort_keys=True))
            entry = self.events.get(key)
            if entry is None:
                self.events[key] = [1, negative]
            else:
                entry[0] += 1
                entry[1] = entry[1] or negative
        finally:
            _busy.on = False

    def _on_note(self, name: str, frame: types.FrameType, operands: tuple) -> None:
        self.record(name, frame, operands)

    # -- executed lines ---------------------------------------------------------------------------
    def _global(self, frame: types.FrameType, event: str, arg: Any) -> Optional[Callable]:
        real = self.covered(frame.f_code.co_filename)
        if real is None:
            return None
        lines = self.lines.get(real)
        if lines is None:
            lines = self.lines[real] = set()
        add = lines.add

        def local(frame: types.FrameType, event: str, arg: Any) -> Any:
            if event == "line":
                add(frame.f_lineno)
            return local

        return local

    # -- output -----------------------------------------------------------------------------------
    def as_json(self) -> Dict[str, Any]:
        files: Dict[str, Dict[str, Any]] = {}
        for real, lines in self.lines.items():
            files.setdefault(real, {"lines": [], "events": []})["lines"] = sorted(lines)
        for (real, span, kind, operands, detail), (count, negative) in sorted(
            self.events.items(), key=lambda item: (item[0][0], item[0][1][0], item[0][1][1] or 0, item[0][2])
        ):
            event: Dict[str, Any] = {
                "kind": kind,
                "line": span[0],
                "col": span[1],
                "end_line": span[2],
                "end_col": span[3],
                "count": count,
                "operands": json.loads(operands),
                "any_negative": negative,
            }
            extra = json.loads(detail)
            if extra:
                event["detail"] = extra
            files.setdefault(real, {"lines": [], "events": []})["events"].append(event)
        for real, entry in files.items():
            entry["text_sha256"] = self.digests.get(real)
        return {
            "version": VERSION,
            "tool": "torchcompat run --trace",
            "torch": str(getattr(self.torch, "__version__", "?")),
            "python": "%d.%d.%d" % sys.version_info[:3],
            "columns": hasattr(types.CodeType, "co_positions"),
            "runs": self.runs,
            "files": files,
        }

    def write(self) -> None:
        """Write the trace atomically (merged into the existing file when ``append``)."""
        data = self.as_json()
        if self.append and os.path.exists(self.path):
            data = merge([load(self.path), data])
        folder = os.path.dirname(self.path) or "."
        fd, tmp = tempfile.mkstemp(prefix=".trace-", suffix=".json", dir=folder)
        try:
            if os.path.exists(self.path):
                mode = os.stat(self.path).st_mode & 0o7777  # an existing trace keeps its mode
            else:
                mask = os.umask(0)
                os.umask(mask)
                mode = 0o666 & ~mask  # as open() would create it, not mkstemp's 0600
            os.chmod(tmp, mode)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=1, sort_keys=True)
                handle.write("\n")
            os.replace(tmp, self.path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise


# -- starting and stopping ------------------------------------------------------------------------


def start(
    path: str, roots: Iterable[str], torch_module: Any = None, append: bool = False, argv: Optional[List[str]] = None
) -> Tracer:
    """Start recording into ``path`` for project code under ``roots`` (folders): the recorder that
    :func:`~torchcompat.legacy.engine.note` feeds, the observers, and the line tracer. Call after
    :func:`torchcompat.legacy.patch` and :func:`stop` before :func:`~torchcompat.legacy.unpatch`."""
    global _tracer
    if _tracer is not None:
        raise RuntimeError("a trace is already being recorded into %s" % _tracer.path)
    if torch_module is None:
        import torch as torch_module
    folder = os.path.dirname(os.path.abspath(path)) or "."
    if not os.path.isdir(folder):
        raise ValueError("--trace %s: folder %s does not exist" % (path, folder))
    tracer = Tracer(path, roots, torch_module, append=append)
    tracer.runs.append({"argv": list(argv or [])})
    from torchcompat.legacy import observe

    tracer.changes = observe.install(torch_module, tracer)
    _tracer = tracer
    engine.set_recorder(tracer._on_note)
    sys.settrace(tracer._global)
    threading.settrace(tracer._global)
    return tracer


def stop(write: bool = True) -> Optional[Tracer]:
    """Stop recording (observers undone exactly) and write the trace; returns the tracer (None if none)."""
    global _tracer
    tracer = _tracer
    if tracer is None:
        return None
    sys.settrace(None)
    threading.settrace(None)  # type: ignore[arg-type]
    engine.set_recorder(None)
    _tracer = None
    from torchcompat.legacy import observe

    observe.uninstall(tracer.changes)
    tracer.changes = []
    if write:
        tracer.write()
    return tracer


#: ``torchcompat run --trace``: (path, append) asked for by the command line, started by :func:`begin`.
_requested: Optional[Tuple[str, bool]] = None


def request(path: Optional[str], append: bool = False) -> None:
    """Ask the next :func:`begin` to trace into ``path`` (None: no trace); ValueError for a path that
    cannot be written (its folder is missing) or an existing trace ``append`` cannot read."""
    global _requested
    if path is None:
        _requested = None
        return
    folder = os.path.dirname(os.path.abspath(path)) or "."
    if not os.path.isdir(folder):
        raise ValueError("--trace %s: the folder %s does not exist" % (path, folder))
    if os.path.isdir(path):
        raise ValueError("--trace %s is a folder: give a file name (trace.json)" % path)
    if append and os.path.exists(path):
        load(path)  # refuse now, before the run, a file that is not a trace
    _requested = (os.path.abspath(path), append)  # the run may change directory (a notebook runs in its folder)


def begin(roots: Iterable[str], argv: Optional[List[str]] = None) -> Optional[Tracer]:
    """Start the trace :func:`request` asked for (the runner calls it after ``patch()``); None if none."""
    if _requested is None or _tracer is not None:
        return None
    return start(_requested[0], roots, append=_requested[1], argv=argv)


def end() -> None:
    """Stop the trace :func:`begin` started and write it (the runner calls it before ``unpatch()``); a
    write that fails is reported on stderr (the run's own outcome stands)."""
    global _requested
    _requested = None
    try:
        tracer = stop()
    except (OSError, ValueError) as exc:
        sys.stderr.write("torchcompat run: the trace could not be written: %s\n" % exc)
        return
    if tracer is not None:
        sys.stderr.write("torchcompat run: trace written to %s\n" % tracer.path)


def current() -> Optional[Tracer]:
    """The tracer recording now (None when not tracing)."""
    return _tracer
