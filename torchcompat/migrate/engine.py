"""The migration engine: stdlib ``ast`` + ``tokenize``, with edits on source spans.

A file is decoded exactly (:mod:`.source`), token rules run first (``async=`` does not even parse on
Python >= 3.7), then the text is parsed once and walked once; each node is handed to the rules that
asked for its type. A rule reports a :class:`Finding` with the edits that fix it (text spans of the
current source). Fixing applies every finding whose edits do not overlap an earlier one, adds the
imports the fixes need, and runs again until nothing changes (a fixed point, so a second run of the
tool changes nothing). The result is parsed again; if it does not parse, the file is left alone.
"""

from __future__ import annotations

import ast
import dataclasses
import gc
import re
import sys
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

from torchcompat.migrate import era as _era

# Names imported `as` themselves are re-exported: they lived here before context.py and edits.py, and
# callers and tests import them from the engine.
from torchcompat.migrate.context import _FIELDS, _LEAF_TYPES, DEFAULT_TARGET, PORTABLE_FLOOR, Context, Finding, Options
from torchcompat.migrate.context import parent_map as parent_map
from torchcompat.migrate.edits import Edit as Edit
from torchcompat.migrate.edits import Region, _apply, _apply_edits, _compose
from torchcompat.migrate.edits import _import_edit as _import_edit
from torchcompat.migrate.edits import _overlaps as _overlaps
from torchcompat.migrate.edits import _self_overlapping as _self_overlapping
from torchcompat.migrate.edits import _Taken as _Taken
from torchcompat.migrate.era import Era
from torchcompat.migrate.rule import OLDEST, RULES, Rule, derived_version, hint_pattern, rule

__all__ = [
    "Rule",
    "RULES",
    "rule",
    "hint_pattern",
    "derived_version",
    "OLDEST",
    "Options",
    "Finding",
    "Context",
    "Result",
    "process_text",
    "PORTABLE_FLOOR",
    "DEFAULT_TARGET",
]

#: Passes of the fix loop before the engine gives up on reaching a fixed point.
MAX_PASSES = 10

MIN_PYTHON = (3, 8)  # ast end positions


class RuleError(RuntimeError):
    """A rule raised: a bug in the rule, reported for the file (the run goes on, the file is untouched)."""


@dataclasses.dataclass
class Result:
    findings: List[Finding]
    text: str  # the fixed text (the input when nothing changed)
    changed: bool = False
    error: Optional[str] = None  # a parse failure or an internal error: the file is left alone
    fixed: Dict[str, int] = dataclasses.field(default_factory=dict)  # code -> fixes applied
    remaining: List[Finding] = dataclasses.field(default_factory=list)
    internal: bool = False  # the error is a bug of ours (a rule's output did not parse), not the file's
    #: where ``text`` differs from the input: ``(old_start, old_end, new_start, new_end)`` spans, sorted
    regions: List[Tuple[int, int, int, int]] = dataclasses.field(default_factory=list)
    era: Optional[Era] = None  # the source era the meaning rules were gated by (None: no rule could fire)


_QUICK = re.compile(r"torch|\basync\s*=|functorch")


_ENABLED_CACHE: Dict[Tuple[Tuple[str, ...], Tuple[str, ...]], List[Rule]] = {}


def _wanted(options: Options) -> Tuple[str, ...]:
    """Project mode: the rules that must see this file whatever its words (it calls a legacy Function that
    a sibling module defines, so its text need not name ``Function`` nor even ``torch``)."""
    project = options.project
    return project.wanted_rules() if project is not None else ()


def _enabled(options: Options, text: str) -> Tuple[List[Rule], Dict[type, List[Rule]]]:
    """The rules that can fire on ``text``: enabled by the options, and with a hint in the text."""
    key = (options.select, options.ignore)
    enabled = _ENABLED_CACHE.get(key)
    if enabled is None:
        from torchcompat.migrate import rules as _rules  # noqa: F401  (registers every rule)

        enabled = _ENABLED_CACHE[key] = [r for r in RULES.values() if options.enabled(r.code, r.default)]
    token_rules = []
    by_type: Dict[type, List[Rule]] = {}
    for r in enabled:
        if not r.may_fire(text) and r.code not in _wanted(options):
            continue
        if r.tokens:
            token_rules.append(r)
        for node_type in r.nodes:
            by_type.setdefault(node_type, []).append(r)
    return token_rules, by_type


def _walk(tree: ast.AST, by_type: Dict[type, List[Rule]], ctx: "Context") -> None:
    """Depth-first over every node, calling the rules that asked for its type."""
    stack: List[ast.AST] = [tree]
    pop = stack.pop
    push = stack.append
    get = by_type.get
    fields_of = _FIELDS
    AST = ast.AST
    leaf = _LEAF_TYPES
    while stack:
        node = pop()
        kind = type(node)
        fields = fields_of.get(kind)
        if fields is None:
            fields = fields_of[kind] = tuple(f for f in kind._fields if f not in ("ctx", "op", "ops"))
        for field in fields:
            value = getattr(node, field, None)
            if value is None:
                continue
            if type(value) is list:
                for item in value:
                    if isinstance(item, AST):
                        push(item)
            elif isinstance(value, AST) and not isinstance(value, leaf):
                push(value)
        wanted = get(kind)
        if wanted:
            for r in wanted:
                ctx.rule = r
                try:
                    r.func(node, ctx)
                except RecursionError:
                    raise
                except Exception as exc:
                    raise RuleError(
                        "rule %s crashed at line %s: %s: %s"
                        % (r.code, getattr(node, "lineno", "?"), type(exc).__name__, exc)
                    ) from exc


class Analysis(NamedTuple):
    findings: List[Finding]  # token findings (in `text` coordinates) then AST findings (in `seen`)
    text: str
    seen: str  # the text the AST rules saw: `text` with the token rules' edits
    ctx: Optional[Context]
    error: Optional[str]
    era: Optional[Era] = None  # the file's source era (declared, or inferred on the first pass)


def analyse(text: str, options: Options, era: Optional[Era] = None) -> Analysis:
    """One pass: token rules (their edits applied so that the text parses), then the AST rules; then
    the era gate (:meth:`Options.era_allows`) on the findings. ``era``: the file's era, from the first
    pass (later passes see text whose old spellings are already rewritten); None: declared or inferred here."""
    token_rules, by_type = _enabled(options, text)
    findings: List[Finding] = []
    seen = text
    if token_rules:
        tctx = Context(text, None, options)
        for r in token_rules:
            tctx.rule = r
            r.func(tctx)
        findings.extend(tctx.findings)
        if tctx.parse_edits:
            seen = _apply_edits(text, tctx.parse_edits)
        del tctx  # its token list is as large as the tree: not both at once
    if era is None:
        era = _era.declared_era(text, options)
    if not by_type and not findings:
        return Analysis(findings, text, seen, None, None, era)  # no rule can fire here: not even parsed
    try:
        tree = ast.parse(seen)
    except (SyntaxError, ValueError) as exc:
        return Analysis(findings, text, seen, None, _syntax(exc), era)
    ctx = Context(seen, tree, options)
    if by_type:
        _walk(tree, by_type, ctx)
        ctx.findings.sort(key=lambda f: f.offset)
        findings.extend(ctx.findings)
        if len(findings) > len(ctx.findings):
            findings.sort(key=lambda f: (f.line, f.col))
    if era is None:
        era = _era.infer(ctx, findings, full=options.explain_era or _era.needs_full(findings))
    _era.gate(findings, era, options)
    if options.trace is not None:  # --trace: meaning fixes on lines the run never executed are reported
        options.trace.gate(findings, ctx)
    return Analysis(findings, text, seen, ctx, None, era)


def process_text(text: str, options: Options) -> Result:
    """Check (and with ``options.fix``, fix) one module's text."""
    if sys.version_info < MIN_PYTHON:
        raise RuntimeError(
            "torchcompat check/migrate needs Python >= 3.8 (ast end positions); this is %s" % sys.version.split()[0]
        )
    if not _QUICK.search(text) and not _wanted(options):
        return Result([], text)
    # The trees and findings of one file hold no reference cycles worth collecting, and the cyclic
    # collector's full passes over millions of AST nodes made large files superlinear: pause it.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _process(text, options)
    finally:
        if enabled:
            gc.enable()


def _process(text: str, options: Options) -> Result:
    if options.trace is not None:
        options.trace.begin(text)  # the trace's positions are this text's
    analysis: Optional[Analysis] = analyse(text, options)
    assert analysis is not None
    first = analysis.findings
    era = analysis.era
    if analysis.error is not None:
        return Result(first, text, error=analysis.error, era=era)
    if not options.fix:
        return Result(first, text, remaining=first, era=era)
    fixed: Dict[str, int] = {}
    current = text
    remaining = first
    regions: List[Region] = []
    for _ in range(MAX_PASSES):
        findings = analysis.findings
        remaining = findings
        if not any(f.fixable for f in findings):
            break
        token_findings = [f for f in findings if RULES[f.code].tokens]
        ast_findings = [f for f in findings if not RULES[f.code].tokens]
        # token edits are in `text` coordinates; AST edits in `seen` coordinates (text + token edits)
        new_text, applied, edits = _apply(current, token_findings, None)
        steps = [edits]
        if new_text == analysis.seen:
            new_text, ast_applied, edits = _apply(analysis.seen, ast_findings, analysis.ctx)
            applied = applied + ast_applied
            steps.append(edits)
        if not applied:
            break
        for f in applied:
            fixed[f.code] = fixed.get(f.code, 0) + 1
        for edits in steps:
            regions = _compose(regions, edits)
        previous = current
        current = new_text
        if options.trace is not None:
            options.trace.moved(current, regions)
        analysis = None  # one tree in memory at a time
        analysis = analyse(current, options, era)
        if era is not None and era.partial and _era.needs_full(analysis.findings):
            era = _era.complete(era, text, options)  # a rewrite exposed a meaning-changed finding
            analysis = analyse(current, options, era)
        if analysis.error is not None:
            error = _invalid_output(_culprits(previous, options, era), analysis.error)
            return Result(first, text, error=error, remaining=first, internal=True, era=era)
    else:
        remaining = analysis.findings
    if current == text:
        return Result(first, text, fixed=fixed, remaining=remaining, era=era)
    if analysis.ctx is None or analysis.seen != current:  # the last pass did not parse `current` itself
        try:
            ast.parse(current)
        except (SyntaxError, ValueError) as exc:  # pragma: no cover - a fix that breaks the code is caught above
            error = _invalid_output(sorted(fixed), _syntax(exc))
            return Result(first, text, error=error, remaining=first, internal=True, era=era)
    return Result(first, current, changed=True, fixed=fixed, remaining=remaining, regions=regions, era=era)


def _syntax(exc: BaseException) -> str:
    lineno = getattr(exc, "lineno", None)
    where = ":%s:%s" % (lineno, (getattr(exc, "offset", 0) or 0)) if lineno else ""
    return "%s%s: %s" % (type(exc).__name__, where, getattr(exc, "msg", exc))


def _invalid_output(codes: Sequence[str], error: str) -> str:
    """The message for a fix that produced code that does not parse: a bug of ours, named by rule."""
    names = ", ".join("%s (%s)" % (c, RULES[c].name) if c in RULES else c for c in codes)
    which = "rule %s" % names if len(codes) == 1 else "the fixes of rules %s together" % names
    return (
        "%s produced invalid code (%s); this is a torchcompat bug, please report it with this file; "
        "the file was left untouched" % (which, error)
    )


def _culprits(text: str, options: Options, era: Optional[Era] = None) -> List[str]:
    """The rules whose fixes alone already make ``text`` unparsable (each tried by itself); all the
    rules of the pass when only their combination fails. Runs only after a failure, so cost is no issue."""
    analysis = analyse(text, options, era)
    codes = sorted({f.code for f in analysis.findings if f.fixable})
    guilty = []
    for code in codes:
        if RULES[code].tokens:
            token_findings = [f for f in analysis.findings if f.code == code]
            candidate, applied, _ = _apply(text, token_findings, None)
            failed = bool(applied) and analyse(candidate, options, era).error is not None
        else:
            ast_findings = [f for f in analysis.findings if f.code == code]
            candidate, applied, _ = _apply(analysis.seen, ast_findings, analysis.ctx)
            try:
                ast.parse(candidate)
                failed = False
            except (SyntaxError, ValueError):
                failed = bool(applied)
        if failed:
            guilty.append(code)
    return guilty or codes
