"""``torchcompat run script.py [args...]``: run a 0.3/0.4-era script unmodified, with the restores on.

The script runs as ``__main__`` exactly as ``python script.py`` would: ``sys.argv`` is
``[script, args...]``, ``sys.path[0]`` is the script's directory, its exit code (``SystemExit``
included) is ours, and an uncaught exception (a ``SyntaxError`` and a ``KeyboardInterrupt`` too) is
reported through ``sys.excepthook`` with the script's frames only: neither the runner's nor the restores'
(``TORCHCOMPAT_FULL_TRACEBACK=1`` keeps them all, to report a bug of ours). Exit status 1 after an
exception; a KeyboardInterrupt ends the process as it ends python's (SIGINT, 130 in a shell).
"""

from __future__ import annotations

import argparse
import gc
import os
import runpy
import sys
import types
from typing import Any, Dict, List, Optional, Tuple

__all__ = ["configure", "main", "run_script", "explain_lines"]

_INPLACE = "modified by an inplace operation"


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``torchcompat run``."""
    from torchcompat.legacy.engine import ERAS
    from torchcompat.legacy.restores.serialization import TRUST_ENV, TRUST_FLAG

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
        help="after the run, list the restores the script used, the line that used each first, "
        "and the migration rule that removes the need for it",
    )
    parser.add_argument(
        TRUST_FLAG,
        action="store_true",
        help="let torch.load unpickle any object from any file (also: %s=1); without it, only files this "
        "run saved, by path or file object and unchanged since, and plain data load" % TRUST_ENV,
    )
    parser.add_argument("script", help="the script to run")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="the script's own arguments")


def _rule_for(shift: Any, restore: Any) -> Optional[str]:
    """``"CODE (name)"`` of the migration rule that removes the need for ``restore``: the declared link
    (:func:`torchcompat.legacy.face.rule_for`), never a match of names."""
    from torchcompat.legacy.face import rule_for

    rule = rule_for(shift, restore)
    if rule is None:
        return None
    code = getattr(rule, "code", None) or getattr(rule, "id", None)
    return "%s (%s)" % (code, getattr(rule, "name", "")) if code else None


def _load_rules() -> None:
    try:  # the migration tool attaches its rule faces on import
        import torchcompat.migrate.rules  # noqa: F401
    except Exception:  # pragma: no cover - the run must not fail for want of rules
        pass


def explain_lines(uses: Dict[str, Tuple[str, int]]) -> List[str]:
    """``--explain``'s report: one line per restore used, with its first use site and its migration rule."""
    from torchcompat.legacy.face import all_restores
    from torchcompat.registry import REGISTRY

    _load_rules()
    by_name: Dict[str, Tuple[str, Any]] = {}
    for shift_id, restore in all_restores():
        by_name.setdefault(restore.name, (shift_id, restore))
    lines = ["torchcompat run --explain: %d restore%s used" % (len(uses), "" if len(uses) == 1 else "s")]
    for name, (filename, lineno) in sorted(uses.items(), key=lambda item: (item[1][0], item[1][1], item[0])):
        shift_id, restore = by_name.get(name, ("?", None))
        rule = None
        summary = ""
        try:
            shift = REGISTRY.get(shift_id)
        except KeyError:
            shift = None
        if shift is not None:
            rule = _rule_for(shift, restore)
            summary = shift.new or shift.summary
        rel = os.path.relpath(filename) if os.path.isabs(filename) else filename
        where = "%s:%d" % (filename if rel.startswith("..") else rel, lineno)
        fix = ("rule %s" % rule) if rule else ("shift %s (no migration rule yet)" % shift_id)
        summary = summary.replace("`", "")
        if len(summary) > 90:
            summary = summary[:87] + "..."
        lines.append("  %-26s %-28s %s%s" % (name, where, fix, (": " + summary) if summary else ""))
    return lines


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


def _print_exception(exc: BaseException) -> None:
    """Report an uncaught exception of the script as the interpreter does: through ``sys.excepthook``
    (the script's own hook if it set one), with the script's frames only; a script that does not
    compile gets python's bare ``File ..., line N`` and caret display."""
    _for_display(exc)
    try:
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


def _inplace_advice() -> str:
    from torchcompat.registry import REGISTRY

    text = (
        "torchcompat: this cannot be restored. Since torch 1.5 an optimizer step modifies its weights in place, "
        "and autograd refuses a backward pass through a graph that used the old values (old GAN loops: "
        "opt_D.step() before the generator's loss.backward()). Fix: do every backward() before any step() "
        "that changes weights the graph used, or recompute the forward pass after the step (e.g. call D(fake) "
        "again for the generator loss)."
    )
    for shift_id in ("ag-optimizer-inplace-gan", "ag-inplace-version-check"):
        try:
            shift = REGISTRY.get(shift_id)
        except KeyError:
            continue
        text += " [shift %s%s]" % (shift.id, ": " + shift.link if shift.link else "")
        break
    return text


def run_script(
    script: str, argv: List[str], select: Any = None, era: str = "0.4", trust_checkpoints: bool = False
) -> int:
    """Run ``script`` as ``__main__`` with the restores on; returns its exit code (SystemExit propagates)."""
    from torchcompat import legacy
    from torchcompat.legacy import engine
    from torchcompat.legacy.face import all_restores
    from torchcompat.legacy.restores import serialization

    path = os.path.abspath(script)
    if not os.path.exists(path):
        sys.stderr.write("torchcompat run: can't open file %r: No such file or directory\n" % script)
        return 2
    try:  # an unknown --select name or era: a message that lists the known ones, not a traceback
        engine._era_key(era)
        engine._select(select, all_restores())
    except ValueError as exc:
        sys.stderr.write("torchcompat run: %s\n" % exc)
        return 2
    legacy.patch(select=select, era=era)
    saved_argv, saved_path0 = sys.argv[:], (sys.path[0] if sys.path else None)
    sys.argv = [script] + list(argv)
    script_dir = os.path.dirname(os.path.realpath(path))
    if sys.path:
        sys.path[0] = script_dir
    else:
        sys.path.insert(0, script_dir)
    if trust_checkpoints:
        serialization.trust_checkpoints(True)
    options = ([] if era == "0.4" else ["--era", str(era)]) + (
        [] if select is None else ["--select", select if isinstance(select, str) else ",".join(select)]
    )
    serialization.set_run_command(options + [script] + list(argv))
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit:
        raise
    except KeyboardInterrupt:
        raise  # reported by main(), which lets the interpreter end the process as python does
    except BaseException as exc:  # noqa: B036 - the script's uncaught exception, reported as python would
        _print_exception(exc)
        if isinstance(exc, RuntimeError) and _INPLACE in str(exc):
            sys.stderr.write(_inplace_advice() + "\n")
        failed = True
    else:
        failed = False
    finally:
        legacy.unpatch()
        serialization.set_run_command(None)
        if trust_checkpoints:
            serialization.trust_checkpoints(False)
        sys.argv = saved_argv
        if saved_path0 is not None and sys.path:
            sys.path[0] = saved_path0
    if failed:
        # Free the script's globals (held by the traceback's frames) now, while the interpreter is whole:
        # torch 1.6's autograd nodes take the GIL in their destructors and deadlock when they are released
        # during interpreter shutdown after a failed backward() (pytorch#42132), where plain python hangs.
        gc.collect()
        return 1
    return 0


def main(args: argparse.Namespace) -> int:
    """Entry point of ``torchcompat run``. A KeyboardInterrupt of the script is printed as python prints
    it and raised again, so that the process ends as ``python script.py``'s would (killed by SIGINT)."""
    from torchcompat.legacy import engine

    engine.reset_uses()
    interrupted: Optional[BaseException] = None
    code = 1
    try:
        try:
            code = run_script(
                args.script, args.args, select=args.select, era=args.era, trust_checkpoints=args.trust_checkpoints
            )
        except KeyboardInterrupt as exc:
            _print_exception(exc)
            interrupted = exc
    finally:
        if args.explain:
            sys.stdout.flush()
            sys.stderr.write("\n".join(explain_lines(engine.first_uses())) + "\n")
    if interrupted is not None:
        _raise_printed(interrupted)
    return code
