"""``torchcompat run script.py [args...]``: run a 0.3/0.4-era script unmodified, with the restores on.

The script runs as ``__main__`` exactly as ``python script.py`` would: ``sys.argv`` is
``[script, args...]``, ``sys.path[0]`` is the script's directory, its exit code (``SystemExit``
included) is ours, and an uncaught exception prints a traceback that starts at the script.
"""

from __future__ import annotations

import argparse
import gc
import os
import runpy
import sys
import traceback
import types
from typing import Any, Dict, List, Optional, Tuple

__all__ = ["configure", "main", "run_script", "explain_lines"]

_INPLACE = "modified by an inplace operation"


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``torchcompat run``."""
    from torchcompat.legacy.engine import ERAS

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
        "--trust-checkpoints",
        action="store_true",
        help="let torch.load unpickle any object (also: TORCHCOMPAT_TRUST_CHECKPOINTS=1)",
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


def _trim(tb: Optional[types.TracebackType], script: str) -> Optional[types.TracebackType]:
    """Drop the frames above the script (runpy, torchcompat): the traceback starts where python's would."""
    start = tb
    while start is not None and os.path.abspath(start.tb_frame.f_code.co_filename) != script:
        start = start.tb_next
    return start if start is not None else tb


def _print_exception(exc: BaseException, script: str) -> None:
    tb = _trim(exc.__traceback__, script)
    traceback.print_exception(type(exc), exc, tb)


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
    from torchcompat.legacy.restores import serialization

    path = os.path.abspath(script)
    if not os.path.exists(path):
        sys.stderr.write("torchcompat run: can't open file %r: No such file or directory\n" % script)
        return 2
    saved_argv, saved_path0 = sys.argv[:], (sys.path[0] if sys.path else None)
    sys.argv = [script] + list(argv)
    script_dir = os.path.dirname(os.path.realpath(path))
    if sys.path:
        sys.path[0] = script_dir
    else:
        sys.path.insert(0, script_dir)
    if trust_checkpoints:
        serialization.trust_checkpoints(True)
    legacy.patch(select=select, era=era)
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit:
        raise
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: B036 - the script's uncaught exception, reported as python would
        _print_exception(exc, path)
        if isinstance(exc, RuntimeError) and _INPLACE in str(exc):
            sys.stderr.write(_inplace_advice() + "\n")
        failed = True
    else:
        failed = False
    finally:
        legacy.unpatch()
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
    """Entry point of ``torchcompat run``."""
    from torchcompat.legacy import engine

    engine.reset_uses()
    try:
        code = run_script(
            args.script, args.args, select=args.select, era=args.era, trust_checkpoints=args.trust_checkpoints
        )
    finally:
        if args.explain:
            sys.stdout.flush()
            sys.stderr.write("\n".join(explain_lines(engine.first_uses())) + "\n")
    return code
