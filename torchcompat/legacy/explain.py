"""``torchcompat run --explain``: the restores a run used, grouped by file, with the migration rule that removes
the need for each; and the limits: what the run met that cannot be restored (stated, with the line and the fix).
"""

from __future__ import annotations

import os
import sys
import types
from typing import Any, Dict, List, Optional, Tuple

__all__ = ["explain_lines", "limit_advice", "limits", "reset_limits", "user_line", "INPLACE"]

#: torch's message for the GAN in-place case (cannot be restored since 1.5).
INPLACE = "modified by an inplace operation"
#: NumPy's refusals of float()/int() of an array that is not 0-dim (newer NumPy first).
_NUMPY_SCALAR = (
    "only 0-dimensional arrays can be converted to Python scalars",
    "only size-1 arrays can be converted to Python scalars",
    "only length-1 arrays can be converted to Python scalars",
)

#: (file, line, limit name, one-line text) of every limit this run stopped at, for --explain.
_limits: List[Tuple[str, int, str, str]] = []


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


def _shown(filename: str) -> str:
    rel = os.path.relpath(filename) if os.path.isabs(filename) else filename
    return filename if rel.startswith("..") else rel


def _fix_of(name: str, by_name: Dict[str, Tuple[str, Any]]) -> str:
    from torchcompat.registry import REGISTRY

    shift_id, restore = by_name.get(name, ("?", None))
    try:
        shift = REGISTRY.get(shift_id)
    except KeyError:
        shift = None
    rule = _rule_for(shift, restore) if shift is not None and restore is not None else None
    summary = (shift.new or shift.summary) if shift is not None else ""
    fix = ("rule %s" % rule) if rule else ("no rule yet (shift %s)" % shift_id)
    summary = summary.replace("`", "")
    if len(summary) > 90:
        summary = summary[:87] + "..."
    return fix + ((": " + summary) if summary else "")


def explain_lines(
    uses: Dict[str, Tuple[str, int]],
    per_file: Optional[Dict[Tuple[str, str], Tuple[int, int, int]]] = None,
    stopped: Optional[List[Tuple[str, int, str, str]]] = None,
) -> List[str]:
    """``--explain``'s report. ``uses``: ``{restore: (file, first line)}`` (:func:`engine.first_uses`);
    ``per_file``: ``{(restore, file): (first line, lines, calls)}`` (:func:`engine.uses`), which groups the
    report by file with counts; ``stopped``: the limits met (default: this run's, :func:`limits`)."""
    from torchcompat.legacy.face import all_restores

    _load_rules()
    by_name: Dict[str, Tuple[str, Any]] = {}
    for shift_id, restore in all_restores():
        by_name.setdefault(restore.name, (shift_id, restore))
    if per_file is None:
        per_file = {(name, f): (line, 1, 1) for name, (f, line) in uses.items()}
    files: Dict[str, List[Tuple[int, str, int, int]]] = {}
    for (name, filename), (line, sites, calls) in per_file.items():
        files.setdefault(filename, []).append((line, name, sites, calls))
    names = {name for name, _ in per_file}
    lines = [
        "torchcompat run --explain: %d restore%s used%s"
        % (len(names), "" if len(names) == 1 else "s", " in %d files" % len(files) if len(files) > 1 else "")
    ]
    for filename in sorted(files, key=_shown):
        lines.append("%s" % _shown(filename))
        for line, name, sites, calls in sorted(files[filename]):
            where = "%s:%d" % (_shown(filename), line)
            count = "%d line%s, %d call%s" % (sites, "" if sites == 1 else "s", calls, "" if calls == 1 else "s")
            lines.append("  %-26s %-28s %-20s %s" % (name, where, count, _fix_of(name, by_name)))
    stopped = list(_limits) if stopped is None else stopped
    if stopped:
        lines.append("cannot be restored (the run stopped here):")
        for filename, line, name, text in stopped:
            lines.append("  %-26s %-28s %s" % (name, "%s:%d" % (_shown(filename), line), text))
    return lines


# -- limits: what the run met that no restore can bring back -----------------------------------------


def limits() -> List[Tuple[str, int, str, str]]:
    """The limits this run stopped at: ``(file, line, name, text)``."""
    return list(_limits)


def reset_limits() -> None:
    del _limits[:]


def user_line(tb: Optional[types.TracebackType]) -> Tuple[str, int]:
    """The innermost frame of ``tb`` in the user's code (project code when a project is set; else outside
    torch, torchcompat, NumPy and site-packages): the line a fix goes to."""
    from torchcompat.legacy import engine

    found = ("?", 0)
    skipped = tuple(os.path.dirname(os.path.abspath(m.__file__)) + os.sep for m in _loaded("numpy", "torch"))
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if engine.project() is not None:
            ours = engine.in_project(filename)
        else:
            path = os.path.abspath(filename)
            ours = not (
                path.startswith(skipped + engine.own_prefixes())
                or "site-packages" in path
                or "dist-packages" in path
                or filename.startswith("<frozen")
            )
        if ours:
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _loaded(*names: str) -> List[Any]:
    return [sys.modules[n] for n in names if getattr(sys.modules.get(n), "__file__", None)]


def _inplace_text() -> str:
    from torchcompat.registry import REGISTRY

    text = (
        "Since torch 1.5 an optimizer step modifies its weights in place, and autograd refuses a backward pass "
        "through a graph that used the old values (old GAN loops: opt_D.step() before the generator's "
        "loss.backward()). Fix: do every backward() before any step() that changes weights the graph used, or "
        "recompute the forward pass after the step (e.g. call D(fake) again for the generator loss)."
    )
    for shift_id in ("ag-optimizer-inplace-gan", "ag-inplace-version-check"):
        try:
            shift = REGISTRY.get(shift_id)
        except KeyError:
            continue
        return text + " [shift %s%s]" % (shift.id, ": " + shift.link if shift.link else "")
    return text


def _numpy_text() -> str:
    numpy = sys.modules.get("numpy")
    version = getattr(numpy, "__version__", "")
    return (
        "NumPy%s refuses float()/int() of an array that is not 0-dimensional, such as the (1,) or (1, 1) array "
        "0.3 code got from loss.data.numpy() or a 1-element output; NumPy's own types cannot be patched. "
        "Fix: take the number from the tensor, float(loss.item()), or from the array, float(a.item()) "
        "(a.reshape(()) for a 0-dim array)." % ((" " + version) if version else "")
    )


def limit_advice(exc: BaseException) -> Optional[str]:
    """When ``exc`` is a failure no restore can undo: one message naming the user's line and the fix (also
    remembered for ``--explain``); else ``None``."""
    text = str(exc)
    if isinstance(exc, RuntimeError) and INPLACE in text:
        name, body = "inplace-after-step", _inplace_text()
    elif isinstance(exc, TypeError) and any(m in text for m in _NUMPY_SCALAR):
        name, body = "numpy-scalar", _numpy_text()
    else:
        return None
    filename, line = user_line(exc.__traceback__)
    _limits.append((filename, line, name, body.split(". Fix: ")[-1].split(" [shift")[0]))
    where = "" if line == 0 else " (%s, line %d)" % (filename, line)
    return "torchcompat: this cannot be restored%s. %s" % (where, body)
