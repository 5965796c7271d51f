"""Rule documentation, like a linter's rule pages: what a rule does, why (from its record), an example, and
whether its fix is safe. ``torchcompat rules CODE`` prints it; ``docs/rules.md`` is rendered from it
(``python -m torchcompat.migrate.ruledocs --write docs/rules.md``; a test keeps the checked-in copy fresh)."""

from __future__ import annotations

import argparse
import inspect
import sys
from typing import Any, Dict, List, Optional, Sequence, Tuple

from torchcompat.migrate.engine import PORTABLE_FLOOR, RULES, Rule

__all__ = ["what", "why", "example", "fix_safety", "page", "describe", "render", "main"]


def _rules() -> List[Rule]:
    from torchcompat.migrate import rules  # noqa: F401  (registers every rule)

    return [RULES[code] for code in sorted(RULES)]


def what(r: Rule) -> str:
    """What the rule does: its module's docstring when the module holds this rule alone, else its
    one-line ``docs``."""
    module = inspect.getmodule(r.func)
    alone = module is not None and sum(1 for other in RULES.values() if other.func.__module__ == module.__name__) == 1
    if alone and module.__doc__:  # type: ignore[union-attr]
        return inspect.cleandoc(module.__doc__)  # type: ignore[union-attr]
    return r.docs


def _record_facts(record: Any) -> str:
    parts = []
    lib = getattr(record, "library", "torch")  # a domain library's records name its own releases
    if record.added:
        parts.append("the new API arrived in %s %s" % (lib, record.added))
    if record.deprecated:
        parts.append("the old one was deprecated in %s %s" % (lib, record.deprecated))
    if record.removed:
        parts.append("removed (or broken) in %s %s" % (lib, record.removed))
    if record.changed:
        parts.append("its behaviour changed in %s %s" % (lib, record.changed))
    return "; ".join(parts)


def why(r: Rule) -> str:
    """Why the rule exists, written from its record's facts (never by hand)."""
    record = r.record
    kind = getattr(record, "kind", None)
    lines = ["%s (record `%s`)." % (record.summary.rstrip("."), record.id)]
    facts = _record_facts(record)
    if facts:
        lines.append(facts[0].upper() + facts[1:] + ".")
    if kind == "meaning":
        lines.append("A shift of meaning: the same code behaves differently across releases.")
    elif kind == "spelling":
        lines.append("A shift of spelling: an old name or keyword, so its presence identifies old code.")
    if record.link:
        lines.append("Upstream: %s" % record.link)
    return " ".join(lines)


def example(r: Rule) -> Tuple[str, str]:
    """``(before, after)``: the rule's declared example, else the first ``old -> new`` of its ``docs``."""
    if r.example[0]:
        return r.example
    first = r.docs.split("; ")[0]
    if " -> " in first:
        before, after = first.split(" -> ", 1)
        return before.strip(), after.strip()
    return first.strip(), ""


def fix_safety(r: Rule) -> str:
    """Ruff-style fix safety, with the release the plain fix needs and what ``--portable`` does."""
    if not r.fixable:
        return "No fix: the rule reports, the change is by hand."
    text = (
        "Safe: the rewrite means the same on every release."
        if r.safe
        else "Unsafe: the rewrite may change behaviour (review it; `--safe-only` skips it)."
    )
    emits = ", ".join("`%s`" % _emit_id(e) for e in r.emits)
    text += " The plain fix needs %s %s (%s)." % (
        getattr(r, "library", "torch"),
        r.min_version,
        "derived from the records it writes: %s" % emits if emits else "it writes no API newer than the oldest release",
    )
    if r.portable == "adapter":
        text += " `--portable` writes `torchcompat` adapters that run on every release."
    elif r.portable == "plain":
        text += " `--portable` writes the plain fix when it runs from torch %s on." % PORTABLE_FLOOR
    else:
        text += " `--portable` leaves it reported."
    if not r.default:
        text += " Opt-in: runs only with `--select %s`." % r.code
    return text


def _emit_id(e: Any) -> str:
    return getattr(e, "id", None) or e.shift.id


def describe(r: Rule) -> Dict[str, Any]:
    """The rule's page as data (``torchcompat rules CODE --format json``)."""
    data = r.as_dict()
    before, after = example(r)
    data.update(what=what(r), why=why(r), example={"before": before, "after": after}, fix_safety=fix_safety(r))
    return data


def page(r: Rule, heading: str = "#") -> str:
    """One rule's documentation as Markdown (also what ``torchcompat rules CODE`` prints)."""
    before, after = example(r)
    lines = [
        "%s %s (%s)" % (heading, r.code, r.name),
        "",
        r.message,
        "",
        "**What it does.** " + what(r),
        "",
        "**Why.** " + why(r),
        "",
        "**Example.**",
        "",
        "```text",
        "# before",
        before,
    ]
    if after:
        lines += ["# after", after]
    lines += ["```", "", "**Fix safety.** " + fix_safety(r), ""]
    return "\n".join(lines)


def render(rules: Optional[Sequence[Rule]] = None) -> str:
    """docs/rules.md: an index, then one section per rule."""
    rules = list(rules) if rules is not None else _rules()
    out = [
        "# Migration rules",
        "",
        "Generated by `python -m torchcompat.migrate.ruledocs --write docs/rules.md` from the rules and their shift",
        "records (do not edit by hand). `torchcompat rules CODE` prints one page; `torchcompat rules --format json`",
        "gives every rule's record, `emits` list, derived minimum version, kind and safety.",
        "",
        "| code | name | record | fix | needs torch | kind |",
        "|---|---|---|---|---|---|",
    ]
    for r in rules:
        fix = "—" if not r.fixable else ("safe" if r.safe else "unsafe")
        out.append(
            "| [%s](#%s) | %s | `%s` | %s | %s | %s |"
            % (
                r.code,
                _anchor(r),
                r.name,
                r.shift,
                fix,
                r.min_version if r.library == "torch" else "%s %s" % (r.library, r.min_version),
                getattr(r.record, "kind", None) or "",
            )
        )
    out.append("")
    for r in rules:
        out.append(page(r, "##"))
    return "\n".join(out).rstrip("\n") + "\n"


def _anchor(r: Rule) -> str:
    return ("%s-%s" % (r.code, r.name)).lower()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m torchcompat.migrate.ruledocs", description=__doc__.split("\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", metavar="PATH", help="write docs/rules.md to PATH")
    group.add_argument("--check", metavar="PATH", help="exit 1 if PATH differs from a fresh rendering")
    args = parser.parse_args(argv)
    text = render()
    if args.write:
        with open(args.write, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        return 0
    with open(args.check, encoding="utf-8") as handle:
        current = handle.read()
    if current != text:
        sys.stderr.write(
            "%s is stale: run python -m torchcompat.migrate.ruledocs --write %s\n" % (args.check, args.check)
        )
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
