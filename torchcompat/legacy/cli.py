"""``torchcompat run script.py [args...]`` / ``torchcompat run -m module [args...]``: run 0.3/0.4-era code
unmodified, with the restores on.

The script runs as ``__main__`` exactly as ``python script.py`` would: ``sys.argv`` is
``[script, args...]``, ``sys.path[0]`` is the script's directory, its exit code (``SystemExit``
included) is ours, and an uncaught exception (a ``SyntaxError`` and a ``KeyboardInterrupt`` too) is
reported through ``sys.excepthook`` with the script's frames only: neither the runner's nor the restores'
(``TORCHCOMPAT_FULL_TRACEBACK=1`` keeps them all, to report a bug of ours). Exit status 1 after an
exception; a KeyboardInterrupt ends the process as it ends python's (SIGINT, 130 in a shell).
``-m module`` runs a module as ``python -m module`` does (``sys.path[0]`` is the current directory), so
``torchcompat run -m pytest tests/`` runs a legacy project's own tests with the restores on.

The restores that change meaning (integer ``/``, uint8 masks, ...) apply to the project's own code only: the
files under the script's folder (the current directory for ``-m``; ``--project DIR`` to choose), never
site-packages or the stdlib, unless ``--all-modules``. A ``.py`` exported from a notebook runs with its IPython
magics skipped (a note each on stderr); a ``.ipynb`` runs through ``torchcompat.notebook`` when installed, in
the notebook's folder as Jupyter runs it (a note on stderr when that is not the current directory), its
tracebacks showing the cells' code and each line's cell (``[cell 3, line 2]``).
"""

from __future__ import annotations

import argparse
import builtins
import gc
import linecache
import os
import re
import runpy
import sys
import types
from typing import Any, List, Optional, Sequence, Tuple

from torchcompat.legacy.explain import explain_lines, limit_advice

__all__ = ["configure", "main", "run_script", "run_module", "explain_lines"]


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``torchcompat run``."""
    from torchcompat.legacy.engine import ERAS
    from torchcompat.legacy.restores.serialization import TRUST_ENV, TRUST_FLAG

    parser.usage = "%(prog)s [options] (script.py | notebook.ipynb | -m module) [args ...]"
    parser.add_argument(
        "--era", default="0.4", choices=ERAS, help="the release the script was written for (default 0.4)"
    )
    parser.add_argument(
        "--select",
        default=None,
        metavar="NAMES",
        help="comma-separated restores (names, targets or shift ids) to apply; default: all",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="after the run, list by file the restores the code used (first line, count) and the migration "
        "rule that removes the need for each, and what could not be restored",
    )
    parser.add_argument(
        TRUST_FLAG,
        action="store_true",
        help="let torch.load unpickle any object from any file (also: %s=1); without it, only files this "
        "run saved, by path or file object and unchanged since, and plain data load" % TRUST_ENV,
    )
    parser.add_argument(
        "--project",
        action="append",
        metavar="DIR",
        help="the legacy project's folder, whose code gets the restores that change meaning (integer /, "
        "uint8 masks...); default: the script's folder, or the current directory with -m; repeatable",
    )
    parser.add_argument(
        "--all-modules",
        action="store_true",
        help="give every caller the old meanings, third-party packages too (default: the project's code only)",
    )
    parser.add_argument(
        "--trace",
        metavar="TRACE.json",
        help="record run-time evidence for `torchcompat migrate --trace`: each restore and meaning-changed "
        "operation the project's code ran (file, line, column, operand dtypes and shapes, count) and the lines "
        "it executed; written when the run ends, replacing the file unless --trace-append",
    )
    parser.add_argument(
        "--trace-append", action="store_true", help="merge this run's trace into the existing --trace file"
    )
    parser.add_argument(
        "-m",
        dest="module",
        nargs=argparse.REMAINDER,
        metavar="MODULE",
        help="run a module as python -m does (the rest of the line is its arguments): -m pytest tests/",
    )
    parser.add_argument("script", nargs="?", help="the script (.py, or a notebook .ipynb) to run")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="the script's own arguments")


_LEGACY_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
#: ``=1``: tracebacks keep every frame, the runner's and the restores' too (to report a torchcompat bug).
FULL_TRACEBACK_ENV = "TORCHCOMPAT_FULL_TRACEBACK"


def _ours(tb: types.TracebackType) -> bool:
    """A frame of the runner or of a restore (torchcompat/legacy/): there only because of ``torchcompat run``."""
    return os.path.abspath(tb.tb_frame.f_code.co_filename).startswith(_LEGACY_DIR)


def _runpy(tb: types.TracebackType) -> bool:
    filename = tb.tb_frame.f_code.co_filename
    return filename == "<frozen runpy>" or os.path.splitext(filename)[0] == os.path.splitext(runpy.__file__)[0]


def _user_frames(tb: Optional[types.TracebackType], leading: bool) -> Optional[types.TracebackType]:
    """The traceback ``python script.py`` would show. ``leading``: without the runner's frames before the
    script's first (runpy's and ours; all of them when the script did not compile). And without the
    restores' frames: a restore wraps a torch function the script called, where python shows torch's."""
    if leading:
        while tb is not None and (_ours(tb) or _runpy(tb)):
            tb = tb.tb_next
    kept = []
    while tb is not None:
        if not _ours(tb):
            kept.append(tb)
        tb = tb.tb_next
    rebuilt: Optional[types.TracebackType] = None
    for t in reversed(kept):
        rebuilt = types.TracebackType(rebuilt, t.tb_frame, t.tb_lasti, t.tb_lineno)
    return rebuilt


def _for_display(exc: BaseException) -> None:
    """Trim the tracebacks of ``exc`` and of the exceptions chained to it, in place (the run is over)."""
    if os.environ.get(FULL_TRACEBACK_ENV, "").strip() not in ("", "0"):
        return
    seen = set()
    todo: List[Tuple[Optional[BaseException], bool]] = [(exc, True)]
    while todo:
        current, leading = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        current.__traceback__ = _user_frames(current.__traceback__, leading)
        # chained exceptions were caught inside the script: their tracebacks hold no runner frames
        todo += [(current.__cause__, False), (current.__context__, False)]
        todo += [(e, False) for e in getattr(current, "exceptions", None) or ()]  # an ExceptionGroup's


#: the notebook being run, as ``(its path, the script made of its cells)`` (None when running no notebook)
_notebook: Optional[Tuple[str, str]] = None
_FILE_LINE = re.compile(r'^  File "(.*)", line (\d+)(.*)$', re.M)


def _notebook_traceback(exc: BaseException) -> Optional[str]:
    """The traceback of an exception of a notebook run, as the default hook prints it but with the cells'
    code (the C hook of Python < 3.13 reads the source lines from the file itself: the notebook's JSON)
    and ``[cell N, line L]`` after each of the notebook's frames; None when not running a notebook or when
    the script set its own hook."""
    if _notebook is None or sys.excepthook is not sys.__excepthook__:
        return None
    import traceback

    from torchcompat.notebook import cell_position

    path, script = _notebook
    linecache.cache[path] = (len(script), None, script.splitlines(True), path)  # type: ignore[assignment]

    def where(match: "re.Match[str]") -> str:
        position = cell_position(script, int(match.group(2))) if match.group(1) == path else None
        return match.group(0) + ("  [cell %d, line %d]" % position if position else "")

    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return _FILE_LINE.sub(where, text)


def _print_exception(exc: BaseException) -> None:
    """Report an uncaught exception of the script as the interpreter does: through ``sys.excepthook``
    (the script's own hook if it set one), with the script's frames only; a script that does not
    compile gets python's bare ``File ..., line N`` and caret display."""
    _for_display(exc)
    try:
        shown = _notebook_traceback(exc)
        if shown is not None:
            sys.stderr.write(shown)
            sys.stderr.flush()
            return
        sys.excepthook(type(exc), exc, exc.__traceback__)
    except BaseException as hook_error:  # noqa: B036 - as python does: report both, with the default hook
        sys.stderr.write("Error in sys.excepthook:\n")
        sys.__excepthook__(type(hook_error), hook_error, hook_error.__traceback__)
        sys.stderr.write("\nOriginal exception was:\n")
        sys.__excepthook__(type(exc), exc, exc.__traceback__)
    sys.stderr.flush()


def _raise_printed(exc: BaseException) -> None:
    """Raise ``exc`` again for the interpreter to end the process as python does (on a KeyboardInterrupt:
    finalize, then die of SIGINT), without printing it a second time: ``sys.excepthook`` skips this one
    instance, once, and is put back."""
    previous = sys.excepthook

    def excepthook(etype: Any, value: BaseException, tb: Optional[types.TracebackType]) -> None:
        if sys.excepthook is excepthook:
            sys.excepthook = previous
        if value is not exc:
            previous(etype, value, tb)

    sys.excepthook = excepthook
    exc.__traceback__ = exc.__context__ = exc.__cause__ = None
    gc.collect()  # as after a failure: free the script's graph while the interpreter is whole
    raise exc


class _Refused(Exception):
    """The run cannot start: the message for stderr, and exit status 2."""


def _notebook_script(path: str) -> Tuple[str, List[str]]:
    """A notebook's code as one script (``torchcompat.notebook.script_from_notebook``), magics skipped."""
    from torchcompat.legacy.source import skip_magics

    try:
        from torchcompat.notebook import script_from_notebook  # type: ignore[attr-defined]
    except ImportError:
        raise _Refused(
            "%s: running a notebook needs torchcompat.notebook, which this installation lacks; export it as a "
            "script (jupyter nbconvert --to script %s) and run the .py" % (path, os.path.basename(path))
        ) from None
    text, notes = script_from_notebook(path)
    text, more = skip_magics(text, path)
    return text, list(notes) + more


def _source_for(path: str) -> Tuple[Optional[str], List[str]]:
    """The code to run instead of the file as is (a notebook's, or a script's with its IPython magics skipped)
    and the notes for stderr; ``(None, [])`` when the file runs unchanged, through ``runpy.run_path``."""
    from torchcompat.legacy.source import runnable_source

    if path.lower().endswith(".ipynb"):
        return _notebook_script(path)
    try:
        text, notes = runnable_source(path)
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):  # runpy reports it as python would
        return None, []
    return (text if notes else None), notes


def _exec_as_main(text: str, path: str) -> None:
    """Run ``text`` as the ``__main__`` module of file ``path``, as ``runpy.run_path`` runs a script."""
    global _notebook
    if path.lower().endswith(".ipynb"):  # tracebacks show the script's lines, not the notebook's JSON
        _notebook = (path, text)
        linecache.cache[path] = (len(text), None, text.splitlines(True), path)  # type: ignore[assignment]
    code = compile(text, path, "exec", dont_inherit=True)
    module = types.ModuleType("__main__")
    module.__dict__.update(
        __file__=path, __cached__=None, __loader__=None, __package__=None, __spec__=None, __builtins__=builtins
    )
    saved = sys.modules.get("__main__")
    sys.modules["__main__"] = module
    try:
        exec(code, module.__dict__)
    finally:
        if saved is not None:
            sys.modules["__main__"] = saved


def _options(select: Any, era: str, project: Optional[Sequence[str]], all_modules: bool) -> List[str]:
    """The command-line options that repeat this run (for the message that says which flag trusts a file)."""
    found = [] if era == "0.4" else ["--era", str(era)]
    if select is not None:
        found += ["--select", select if isinstance(select, str) else ",".join(select)]
    for folder in project or ():
        found += ["--project", folder]
    return found + (["--all-modules"] if all_modules else [])


def _run(
    kind: str,
    target: str,
    argv: List[str],
    select: Any,
    era: str,
    trust_checkpoints: bool,
    project: Optional[Sequence[str]],
    all_modules: bool,
) -> int:
    """Run a script (``kind="path"``) or a module (``"module"``) as ``__main__`` with the restores on."""
    global _notebook
    from torchcompat import legacy
    from torchcompat.legacy import engine
    from torchcompat.legacy.face import all_restores
    from torchcompat.legacy.restores import serialization

    path = os.path.abspath(target) if kind == "path" else ""
    if kind == "path" and not os.path.exists(path):
        sys.stderr.write("torchcompat run: can't open file %r: No such file or directory\n" % target)
        return 2
    if kind == "module" and not target:
        sys.stderr.write("torchcompat run: -m needs a module name (torchcompat run -m pytest tests/)\n")
        return 2
    for folder in project or ():
        if not os.path.isdir(folder):
            sys.stderr.write("torchcompat run: --project %r is not a folder\n" % folder)
            return 2
    try:  # an unknown --select name or era: a message that lists the known ones, not a traceback
        engine._era_key(era)
        engine._select(select, all_restores())
        text, notes = _source_for(path) if kind == "path" else (None, [])
    except ValueError as exc:
        sys.stderr.write("torchcompat run: %s\n" % exc)
        return 2
    except _Refused as exc:
        sys.stderr.write("torchcompat run: %s\n" % exc)
        return 2
    for line in notes:
        sys.stderr.write("torchcompat run: %s: %s\n" % (target, line))
    home = os.path.dirname(os.path.realpath(path)) if kind == "path" else os.getcwd()
    saved_cwd = os.getcwd()
    notebook = kind == "path" and path.lower().endswith(".ipynb")
    if notebook and os.path.realpath(saved_cwd) != home:  # Jupyter runs a notebook in its folder
        sys.stderr.write("torchcompat run: %s: running in the notebook's folder %s, as Jupyter does\n" % (target, home))
    engine.set_project(None if all_modules else list(project or [home]))
    legacy.patch(select=select, era=era)
    from torchcompat.legacy import trace

    trace.begin(project or [home], [target] + list(argv))  # after patch(): observers go on top of restores
    saved_argv, saved_path0 = sys.argv[:], (sys.path[0] if sys.path else None)
    sys.argv = [(path if notebook else target) if kind == "path" else "-m"] + list(argv)
    if notebook:
        os.chdir(home)
    if sys.path:
        sys.path[0] = home
    else:
        sys.path.insert(0, home)
    if trust_checkpoints:
        serialization.trust_checkpoints(True)
    shown = [target] if kind == "path" else ["-m", target]
    serialization.set_run_command(_options(select, era, project, all_modules) + shown + list(argv))
    advice = None
    try:
        if kind == "module":
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        elif text is not None:
            _exec_as_main(text, path)
        else:
            runpy.run_path(path, run_name="__main__")
    except SystemExit:
        raise
    except KeyboardInterrupt:
        raise  # reported by main(), which lets the interpreter end the process as python does
    except BaseException as exc:  # noqa: B036 - the code's uncaught exception, reported as python would
        if kind == "module" and isinstance(exc, ImportError) and _user_frames(exc.__traceback__, True) is None:
            sys.stderr.write("torchcompat run: %s\n" % exc)  # runpy's own: no module, or a package without __main__
        else:
            advice = limit_advice(exc)
            _print_exception(exc)
        failed = True
    else:
        failed = False
    finally:
        _notebook = None
        if notebook:
            os.chdir(saved_cwd)
        trace.end()  # before unpatch(): its observers are undone first, and the trace is written
        legacy.unpatch()
        engine.set_project(None)
        serialization.set_run_command(None)
        if trust_checkpoints:
            serialization.trust_checkpoints(False)
        sys.argv = saved_argv
        if saved_path0 is not None and sys.path:
            sys.path[0] = saved_path0
    if advice:
        sys.stderr.write(advice + "\n")
    if failed:
        # Free the script's globals (held by the traceback's frames) now, while the interpreter is whole:
        # torch 1.6's autograd nodes take the GIL in their destructors and deadlock when they are released
        # during interpreter shutdown after a failed backward() (pytorch#42132), where plain python hangs.
        gc.collect()
        return 1
    return 0


def run_script(
    script: str,
    argv: List[str],
    select: Any = None,
    era: str = "0.4",
    trust_checkpoints: bool = False,
    project: Optional[Sequence[str]] = None,
    all_modules: bool = False,
) -> int:
    """Run ``script`` (a ``.py``, or a ``.ipynb`` through ``torchcompat.notebook``) as ``__main__`` with the
    restores on; returns its exit code (SystemExit propagates). ``project``: the folders whose code gets the
    meaning-changing restores (default: the script's folder); ``all_modules``: every caller gets them."""
    return _run("path", script, argv, select, era, trust_checkpoints, project, all_modules)


def run_module(
    module: str,
    argv: List[str],
    select: Any = None,
    era: str = "0.4",
    trust_checkpoints: bool = False,
    project: Optional[Sequence[str]] = None,
    all_modules: bool = False,
) -> int:
    """Run ``module`` as ``python -m module argv...`` would, with the restores on (project: the current
    directory unless ``project`` says otherwise); returns its exit code (SystemExit propagates)."""
    return _run("module", module, argv, select, era, trust_checkpoints, project, all_modules)


def main(args: argparse.Namespace) -> int:
    """Entry point of ``torchcompat run``. A KeyboardInterrupt of the script is printed as python prints
    it and raised again, so that the process ends as ``python script.py``'s would (killed by SIGINT)."""
    from torchcompat.legacy import engine, explain

    module = getattr(args, "module", None)
    if module is None and not args.script:
        sys.stderr.write("torchcompat run: give a script to run, or -m module (torchcompat run --help)\n")
        return 2
    from torchcompat.legacy import trace

    try:
        trace.request(getattr(args, "trace", None), getattr(args, "trace_append", False))
    except ValueError as exc:
        sys.stderr.write("torchcompat run: %s\n" % exc)
        return 2
    engine.reset_uses()
    explain.reset_limits()
    interrupted: Optional[BaseException] = None
    code = 1
    options = dict(
        select=args.select,
        era=args.era,
        trust_checkpoints=args.trust_checkpoints,
        project=getattr(args, "project", None),
        all_modules=getattr(args, "all_modules", False),
    )
    try:
        try:
            if module is not None:
                code = run_module(module[0] if module else "", module[1:], **options)
            else:
                code = run_script(args.script, args.args, **options)
        except KeyboardInterrupt as exc:
            _print_exception(exc)
            interrupted = exc
    finally:
        if args.explain:
            sys.stdout.flush()
            sys.stderr.write("\n".join(explain_lines(engine.first_uses(), engine.uses())) + "\n")
    if interrupted is not None:
        _raise_printed(interrupted)
    return code
