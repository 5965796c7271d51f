"""The source era: which torch a file was written for, declared or inferred from evidence in the file.

A rule whose record changes **meaning** (same spelling, different behaviour: integer ``/``, uint8 masks,
flipped defaults) may rewrite only when the code predates that change; a rule whose record changes
**spelling** (the old name no longer exists) needs no era. The era comes from, in this order:
``--source-version`` (the CLI flag), a ``# torchcompat: source-version X.Y`` comment in the file's first
lines, ``[tool.torchcompat] source-version`` in the nearest ``pyproject.toml`` above the file, else the
evidence in the file:

- **old**: a finding of a rule whose record is a *spelling* the registry says was removed (``volatile=``,
  ``torch.gels``, ``torch._six`` ...) bounds the era above ("before <removed>"); so does the ``.data[0]``
  idiom (TC103, "before" its record's ``removed``). A spelling deprecated before 1.0 and never removed
  (``Variable(``, ``F.tanh``) is listed as a hint but bounds nothing: modern libraries still write it
  (benchmarks/modern_corpus.py measured 42 such findings in 21 files of transformers, timm and diffusers).
- **new**: a name, keyword or method only new torch has, derived from the records' ``new`` usage and their
  ``added`` version and from the ``Moved`` rows (``torch.linalg.solve``, ``torch.func``, ``torch.compile``,
  ``reduction=``, ``weights=``, ``.item()`` ...), bounds it below ("at least <added>").

Old and new evidence together (a file half migrated) is a conflict: the era is unknown for meaning rules.
Never imports torch.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import os
import re
from typing import Any, Dict, Iterable, List, Optional, Tuple

from torchcompat._release import parse as parse_version

__all__ = [
    "Evidence",
    "Era",
    "as_dict",
    "origin_kind",
    "declared",
    "header_version",
    "pyproject_version",
    "infer",
    "change_version",
    "settle_hint",
    "GUESS",
    "VERSION_RE",
]

#: What a version given by a user must look like (``0.4``, ``1.8``, ``2.1.0``).
VERSION_RE = re.compile(r"^\d+\.\d+(\.\d+)?$")

#: The shared end of every warning-level finding: it is a guess, and what would settle it.
GUESS = "a guess: --source-version X.Y, or a trace from `torchcompat run --trace`, would settle it"

#: A spelling deprecated before this release and never removed (``Variable``) marks code of the 0.x era.
PRE_1_0 = "1.0"

#: Rules of ``kind="meaning"`` records whose finding is itself an old idiom: ``x.data[0]`` (the loss of
#: 0.3), "before" the record's ``removed``.
OLD_IDIOMS = ("TC103",)

#: Keywords a record's ``new`` usage names that older functions also took (no evidence of a new torch).
_GENERIC_KEYWORDS = frozenset(
    "dim mode some V strict upper atol rtol alpha beta value num_workers force device dtype requires_grad "
    "device_type TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD _use_new_zipfile_serialization backend scale".split()
)
#: Methods a record's ``new`` usage names that old tensors (or other libraries' objects) also have.
_GENERIC_METHODS = frozenset(
    "detach cpu numpy float long type to step apply backward div save load export permute conj transpose "
    "tensor empty is_available Upsample interpolate stft meshgrid svd qr eig det inverse cholesky solve "
    "lstsq outer resnet50 get_last_lr load_state_dict norm view".split()
)
#: Names a record's ``new`` usage mentions that existed long before the record's ``added``.
_OLD_NAMES = frozenset(
    "torch.sigmoid torch.tanh torch.stack torch.div torch.load torch.save torch.stft torch.meshgrid "
    "torch.onnx.export torch.utils.cpp_extension".split()
)
#: dtypes a record's usage names (``dtype=torch.float32``) exist from 0.4 on, whatever the record's ``added``
_DTYPE = re.compile(r"^torch\.(u?int\d*|float\d*|bfloat16|half|double|long|short|bool|complex\d*|cfloat|cdouble)$")

_TORCH_NAME = re.compile(r"\btorch(?:\.\w+)+")
_KEYWORD = re.compile(r"\b([A-Za-z_]\w*)\s*=(?!=)")
_METHOD = re.compile(r"\.([A-Za-z_]\w*)\(")
_HEADER = re.compile(r"^#\s*torchcompat:\s*source-version\s+(\d+\.\d+(?:\.\d+)?)(?![\w.])")


@dataclasses.dataclass(frozen=True)
class Evidence:
    """One line that bounds the era: ``bound`` is ``"before"`` (upper, exclusive) or ``"at least"``."""

    line: int
    col: int
    what: str
    bound: str
    version: str
    hint: bool = False  # a weaker upper bound (a deprecated spelling, not a removed one)

    def describe(self) -> str:
        extra = " (a hint only, not used as a bound: deprecated there, never removed)" if self.hint else ""
        return "%d:%d: %s -> %s %s%s" % (self.line, self.col, self.what, self.bound, self.version, extra)


@dataclasses.dataclass
class Era:
    """The torch releases a file was written for: ``[lo, hi)`` (either open), or one declared release."""

    lo: Optional[str] = None
    hi: Optional[str] = None
    exact: Optional[str] = None  # a declared release
    origin: str = "inferred"  # "--source-version", "header", a pyproject.toml path, or "inferred"
    evidence: List[Evidence] = dataclasses.field(default_factory=list)
    #: only the old evidence was collected (no meaning-changed rule fired, so the era decided nothing and
    #: the walk for new APIs was skipped: speed); :func:`complete` adds it when a later pass needs it
    partial: bool = False
    #: findings of meaning rules the gate dropped because the file was written for the change or later:
    #: ``(code, col, message) -> "line:col: CODE name skipped: era X >= change Y"`` (for ``--explain-era``)
    skipped: Dict[Tuple[str, int, str], str] = dataclasses.field(default_factory=dict)

    @property
    def conflict(self) -> bool:
        return (
            self.exact is None
            and self.lo is not None
            and self.hi is not None
            and parse_version(self.lo, warn=False) >= parse_version(self.hi, warn=False)
        )

    @property
    def label(self) -> str:
        """``old`` (bounded above), ``new`` (bounded below only), or ``unknown`` (no evidence, or conflicting)."""
        if self.exact is not None:
            return "declared"
        if self.conflict or (self.lo is None and self.hi is None):
            return "unknown"
        return "old" if self.hi is not None else "new"

    def predates(self, version: str) -> bool:
        """Whether every release the file may have been written for is older than ``version``."""
        v = parse_version(version, warn=False)
        if self.exact is not None:
            return parse_version(self.exact, warn=False) < v
        return self.hi is not None and not self.conflict and parse_version(self.hi, warn=False) <= v

    def not_older(self, version: str) -> bool:
        """Whether the file was written for ``version`` or later (the change is what it means)."""
        v = parse_version(version, warn=False)
        if self.exact is not None:
            return parse_version(self.exact, warn=False) >= v
        return self.lo is not None and not self.conflict and parse_version(self.lo, warn=False) >= v

    @property
    def start(self) -> Optional[str]:
        """The oldest release the file may have been written for (the declared one, else the lower bound)."""
        return self.exact if self.exact is not None else self.lo

    def describe(self) -> str:
        if self.exact is not None:
            return "torch %s (declared by %s)" % (self.exact, self.origin)
        if self.conflict:
            return "unknown: conflicting evidence (at least %s, but before %s): a file mid-migration?" % (
                self.lo,
                self.hi,
            )
        if self.lo and self.hi:
            return "at least %s, before %s" % (self.lo, self.hi)
        if self.hi:
            return "before %s" % self.hi
        if self.lo:
            return "at least %s" % self.lo
        return "unknown: no evidence"


def origin_kind(origin: str) -> str:
    """The kind of an :attr:`Era.origin`: ``option`` (``--source-version``), ``header`` (the file's
    ``# torchcompat: source-version`` comment), ``pyproject`` (a pyproject.toml's path) or ``inferred``."""
    if origin == "inferred":
        return "inferred"
    if origin == "--source-version":
        return "option"
    if "header" in origin:
        return "header"
    return "pyproject"


def as_dict(era: Optional[Era], full: bool = True) -> Optional[Dict[str, Any]]:
    """An era for the JSON and SARIF reports: the interval ``[lo, hi)`` (or the declared release), its
    label, where it came from (``origin``: option / header / pyproject / inferred; ``origin_file`` for a
    pyproject.toml), and with ``full`` the evidence and the findings skipped for it; None when no rule
    needed an era (the file was not looked at for one)."""
    if era is None:
        return None
    out: Dict[str, Any] = {
        "label": era.label,
        "lo": era.exact if era.exact is not None else era.lo,
        "hi": era.hi if era.exact is None else None,
        "declared": era.exact,
        "origin": origin_kind(era.origin),
        "description": era.describe(),
    }
    if out["origin"] == "pyproject":
        out["origin_file"] = era.origin
    if full:
        out["evidence"] = [
            {"line": e.line, "col": e.col, "what": e.what, "bound": e.bound, "version": e.version, "hint": e.hint}
            for e in era.evidence
        ]
        out["skipped"] = list(era.skipped.values())
    return out


def declared(version: str, origin: str) -> Era:
    return Era(exact=version, origin=origin)


def header_version(text: str) -> Optional[str]:
    """A ``# torchcompat: source-version X.Y`` comment line among the file's first 10 lines."""
    for line in text.splitlines()[:10]:
        match = _HEADER.match(line.strip())
        if match and VERSION_RE.match(match.group(1)):
            return match.group(1)
    return None


@functools.lru_cache(maxsize=1024)
def _pyproject_in(folder: str) -> Tuple[bool, Optional[str]]:
    """(a pyproject.toml is here, its ``[tool.torchcompat] source-version`` or None)."""
    path = os.path.join(folder, "pyproject.toml")
    if not os.path.isfile(path):
        return False, None
    try:
        with open(path, "rb") as handle:
            data = handle.read().decode("utf-8", "replace")
    except OSError:
        return True, None
    try:
        import tomllib  # type: ignore[import-not-found]

        table = tomllib.loads(data).get("tool", {}).get("torchcompat", {})
        value = table.get("source-version") if isinstance(table, dict) else None
        return True, str(value) if value is not None else None
    except ImportError:  # Python < 3.11: the one key, read by hand
        section = re.search(r"^\[tool\.torchcompat\]\s*$(.*?)(?=^\[|\Z)", data, re.M | re.S)
        if section is None:
            return True, None
        found = re.search(r"^source-version\s*=\s*[\"']([^\"']+)[\"']", section.group(1), re.M)
        return True, found.group(1) if found else None
    except Exception:  # an invalid pyproject.toml says nothing about the era
        return True, None


def pyproject_version(path: str) -> Tuple[Optional[str], Optional[str]]:
    """``(version, pyproject path)`` from the nearest ``pyproject.toml`` above ``path`` (the first one
    found going up decides, like other tools' project roots); ``(None, None)`` when it sets none."""
    if path == "-":
        folder = os.getcwd()
    else:
        folder = os.path.dirname(os.path.abspath(path))
    while True:
        present, value = _pyproject_in(folder)
        if present:
            if value is not None and VERSION_RE.match(value):
                return value, os.path.join(folder, "pyproject.toml")
            return None, None
        parent = os.path.dirname(folder)
        if parent == folder:
            return None, None
        folder = parent


# --- the change a meaning rule depends on ---------------------------------------------------------------


def torch_version(record: Any, version: Optional[str]) -> Optional[str]:
    """``version`` of ``record`` as a torch release: a torchvision/torchaudio/torchtext record's versions are
    its library's (``torchcompat.shifts.pairing``); None when no torch release pairs with it."""
    library = getattr(record, "library", "torch") or "torch"
    if version is None or library == "torch":
        return version
    from torchcompat.shifts.pairing import torch_for

    return torch_for(library, version)


def _meaning_record(r: Any) -> Any:
    from torchcompat.registry import MEANING, REGISTRY

    if getattr(r.record, "kind", None) == MEANING:
        return r.record
    for shift_id in getattr(r, "also", ()):
        record = REGISTRY.get(shift_id)
        if record.kind == MEANING:
            return record
    return None


def change_version(r: Any) -> Optional[str]:
    """The release whose behaviour a meaning rule's rewrite undoes: its record's ``changed``, else
    ``removed`` (a default flipped, an old use refused), else ``added``, else ``deprecated``; None for a
    rule of a spelling record (it needs no era)."""
    record = _meaning_record(r)
    if record is None:
        return None
    found = record.changed or record.removed or record.added or record.deprecated
    return torch_version(record, found) or "0.1" if found else "0.1"


def settle_hint(r: Any, era: Optional[Era]) -> str:
    """Why a meaning rule's finding was reported, not rewritten, and what would settle it."""
    change = change_version(r)
    if era is not None and change is not None and era.not_older(change):
        why = "this file looks written for torch %s, not before the change in %s" % (_era_text(era), change)
    elif era is not None and era.conflict:
        why = "this file's torch era is unknown (conflicting evidence: at least %s and before %s)" % (era.lo, era.hi)
    else:
        why = (
            "this file's torch era is unknown"
            if era is None or era.label == "unknown"
            else ("this file's era (%s) does not predate the change in %s" % (era.describe(), change))
        )
    return "not rewritten, %s; %s" % (why, GUESS)


def _era_text(era: Era) -> str:
    return era.exact if era.exact is not None else ">= %s" % era.lo


# --- evidence ------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def new_api_table() -> Tuple[Dict[str, str], Dict[str, str], Dict[str, str]]:
    """(qualified names, keywords, methods) -> the ``added`` release, from the records' ``new`` usage
    (less what any record's ``old`` usage also names) and the ``Moved`` rows."""
    from torchcompat.registry import REGISTRY

    names: Dict[str, str] = {}
    keywords: Dict[str, str] = {}
    methods: Dict[str, str] = {}

    def put(table: Dict[str, str], key: str, version: str) -> None:
        if key not in table or parse_version(version, warn=False) < parse_version(table[key], warn=False):
            table[key] = version

    for s in REGISTRY:
        added = torch_version(s, s.added)
        if not added:
            continue
        # what the record's own old usage names existed before its `added`
        old_names = set(_TORCH_NAME.findall(s.old)) | _OLD_NAMES
        old_keywords = set(_KEYWORD.findall(s.old)) | _GENERIC_KEYWORDS
        new_names = _TORCH_NAME.findall(s.new)
        functions = {n.rsplit(".", 1)[-1] for n in new_names}
        old_methods = set(_METHOD.findall(s.old)) | _GENERIC_METHODS | functions
        for name in new_names:
            if name not in old_names and not _DTYPE.match(name):
                put(names, name, added)
        for kw in _KEYWORD.findall(s.new):
            if kw not in old_keywords:
                put(keywords, kw, added)
        for method in _METHOD.findall(s.new):
            if method not in old_methods and method[:1].islower():
                put(methods, method, added)
    for row in REGISTRY.moves():
        added = torch_version(row.shift, row.added)
        if added:
            put(names, row.new, added)
    return names, keywords, methods


def _name_version(qual: str, names: Dict[str, str]) -> Optional[Tuple[str, str]]:
    parts = qual.split(".")
    for i in range(len(parts), 1, -1):
        key = ".".join(parts[:i])
        if key in names:
            return key, names[key]
    return None


def _name_hit(found: List[Evidence], seen: set, node: Any, qual: str, names: Dict[str, str]) -> None:
    if not qual.startswith("torch."):
        return
    hit = _name_version(qual, names)
    if hit is not None and (node.lineno, hit[0]) not in seen:
        seen.add((node.lineno, hit[0]))
        found.append(Evidence(node.lineno, node.col_offset + 1, hit[0], "at least", hit[1]))


def _new_evidence(ctx: Any) -> List[Evidence]:
    """One walk over the tree for names, keywords and methods only new torch has."""
    names, keywords, methods = new_api_table()
    found: List[Evidence] = []
    seen: set = set()
    tree = ctx.tree
    if tree is None:
        return found
    for node in ast.walk(tree):
        kind = type(node)
        if kind is ast.Attribute:
            parent = ctx.parent(node)
            if type(parent) is ast.Attribute and parent.value is node:  # type: ignore[attr-defined]
                continue  # the inner part of a longer chain: the outermost decides
            attr = node.attr  # type: ignore[attr-defined]
            if attr in methods and type(parent) is ast.Call and parent.func is node:  # type: ignore[attr-defined]
                if ctx.qualname(node) is None:
                    found.append(Evidence(node.lineno, node.col_offset + 1, ".%s()" % attr, "at least", methods[attr]))
                    continue
            qual = ctx.qualname(node)
            if qual is not None and qual.startswith("torch."):
                _name_hit(found, seen, node, qual, names)
        elif kind is ast.ImportFrom and node.module and node.level == 0:  # type: ignore[attr-defined]
            for alias in node.names:  # type: ignore[attr-defined]
                _name_hit(found, seen, node, "%s.%s" % (node.module, alias.name), names)  # type: ignore[attr-defined]
        elif kind is ast.Import:
            for alias in node.names:  # type: ignore[attr-defined]
                _name_hit(found, seen, node, alias.name, names)
        elif kind is ast.Call and node.keywords:  # type: ignore[attr-defined]
            qual = None
            for kw in node.keywords:  # type: ignore[attr-defined]
                if kw.arg in keywords:
                    if qual is None:
                        qual = ctx.qualname(node.func) or ""  # type: ignore[attr-defined]
                    if qual.startswith(("torch.", "torchvision.")):
                        what = "%s(%s=)" % (qual, kw.arg)
                        found.append(Evidence(node.lineno, node.col_offset + 1, what, "at least", keywords[kw.arg]))
    return found


def _old_evidence(findings: Iterable[Any]) -> List[Evidence]:
    from torchcompat.migrate.rule import RULES
    from torchcompat.registry import SPELLING

    found: List[Evidence] = []
    for f in findings:
        r = RULES.get(f.code)
        if r is None:
            continue
        record = r.record
        if record is None:
            continue
        removed = torch_version(record, record.removed)
        if f.code in OLD_IDIOMS and removed:
            found.append(Evidence(f.line, f.col, "%s %s" % (f.code, r.name), "before", removed))
            continue
        if getattr(record, "kind", None) != SPELLING:
            continue
        if removed:
            found.append(Evidence(f.line, f.col, "%s %s" % (f.code, r.name), "before", removed))
        elif record.deprecated and parse_version(record.deprecated, warn=False) < parse_version(PRE_1_0, warn=False):
            found.append(Evidence(f.line, f.col, "%s %s" % (f.code, r.name), "before", PRE_1_0, hint=True))
    return found


def needs_full(findings: Iterable[Any]) -> bool:
    """Whether the era decides anything here: a finding of a meaning-changed rule."""
    from torchcompat.migrate.rule import RULES

    return any(f.code in RULES and change_version(RULES[f.code]) is not None for f in findings)


def infer(ctx: Any, findings: Iterable[Any], full: bool = True) -> Era:
    """The era of one file from its evidence: the rules' findings (old) and, when ``full``, one walk of
    ``ctx.tree`` for new APIs (skipped when no meaning-changed rule fired: the era then decides nothing)."""
    return _bounded(_old_evidence(findings), _new_evidence(ctx) if full and ctx is not None else [], not full)


def complete(era: Era, text: str, options: Any) -> Era:
    """A :attr:`Era.partial` era with the new-API evidence of the file's original ``text`` added (a later pass
    found a meaning-changed rule; the rewritten text would show the new APIs our own fixes wrote)."""
    from torchcompat.migrate.context import Context

    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return dataclasses.replace(era, partial=False)
    old = [e for e in era.evidence if e.bound == "before"]
    return _bounded(old, _new_evidence(Context(text, tree, options)), False)


def _bounded(old: List[Evidence], new: List[Evidence], partial: bool) -> Era:
    evidence = old + new
    evidence.sort(key=lambda e: (e.line, e.col))
    his = [e.version for e in evidence if e.bound == "before" and not e.hint]
    los = [e.version for e in evidence if e.bound == "at least"]
    key = functools.partial(parse_version, warn=False)
    return Era(
        lo=max(los, key=key) if los else None,
        hi=min(his, key=key) if his else None,
        evidence=evidence,
        partial=partial,
    )


# --- the gate ------------------------------------------------------------------------------------------


def declared_era(text: str, options: Any) -> Optional[Era]:
    """The era the user declared for this file: ``--source-version`` first, then the file's header comment,
    then the nearest pyproject.toml (already in ``options.source`` through ``Options.for_file``)."""
    source = getattr(options, "source", None)
    origin = getattr(options, "source_origin", "") or "--source-version"
    if source is not None and origin == "--source-version":
        return declared(source, origin)
    header = header_version(text)
    if header is not None:
        return declared(header, "a `# torchcompat: source-version` header")
    if source is not None:
        return declared(source, origin)
    return None


def gate(findings: List[Any], era: Optional[Era], options: Any) -> None:
    """Apply the era gate to one pass's findings, in place. A finding of a meaning rule in a file whose era
    is known to start at or after the rule's change is dropped (the code was written for the new meaning:
    neither rewritten nor reported; :attr:`Era.skipped` keeps it for ``--explain-era``), unless the
    project proves the rewrite is needed, or the rule is opt-in (``--select`` named it: TC611 is for code
    written after its change), or the rule proved its rewrite exact on every release
    (``evidence="exact"``: TC301 with a known rank), which passes as it is. One the era (or a trace) does not allow loses its edits and
    becomes a warning saying why and what would settle it. A meaning rule's other warnings (its own
    guesses: a mask of unknown dtype ...) get the shared :data:`GUESS` ending; other rules' warnings are
    no guesses an era or a trace would settle, and keep their own words."""
    from torchcompat.migrate.rule import RULES

    kept = []
    for f in findings:
        r = RULES.get(f.code)
        if r is None:
            kept.append(f)
            continue
        change = change_version(r)
        evidence = getattr(f, "evidence", None)
        if evidence == "exact":  # the rule proved its rewrite means the same on every release
            kept.append(f)
            continue
        if change is not None and evidence != "project" and r.default and era is not None and era.not_older(change):
            key = (f.code, f.col, f.message)
            era.skipped.setdefault(
                key, "%d:%d: %s %s skipped: era %s >= change %s" % (f.line, f.col, f.code, r.name, era.start, change)
            )
            continue
        kept.append(f)
        if not options.era_allows(r, era, evidence):
            f.fixable = False
            f.edits = []
            f.imports = set()
            f.severity = "warning"
            f.message = "%s (%s)" % (f.message, settle_hint(r, era))
        elif change is not None and f.severity == "warning" and "a guess" not in f.message:
            f.message = "%s (%s)" % (f.message, GUESS)
    findings[:] = kept


# --- what the command line prints ----------------------------------------------------------------------


def era_lines(reports: Iterable[Any], explain: bool = False) -> List[str]:
    """The summary line ``Source era: N files declared, N inferred old, N new, N unknown`` and, with
    ``explain``, one block per file: its era and each piece of evidence (``path:line:col: what -> bound``)."""
    counts = {"declared": 0, "old": 0, "new": 0, "unknown": 0, "skipped": 0}
    lines: List[str] = []
    for report in reports:
        if getattr(report, "kind", "") == "missing":
            continue
        era = getattr(report, "era", None)
        label = era.label if era is not None else "unknown"
        if era is None or (era.partial and label == "unknown"):
            label = "skipped"
        counts[label] += 1
        if explain:
            lines.append(
                "%s: era %s" % (report.path, era.describe() if era is not None else "not needed: no rule fired")
            )
            for e in era.evidence if era is not None else ():
                lines.append("  %s:%s" % (report.path, e.describe()))
            for skipped in era.skipped.values() if era is not None else ():
                lines.append("  %s:%s" % (report.path, skipped))
    parts = ["%d inferred old" % counts["old"], "%d new" % counts["new"], "%d unknown" % counts["unknown"]]
    if counts["declared"]:
        parts.insert(0, "%d declared" % counts["declared"])
    if counts["skipped"]:
        parts.append("%d not needed (no meaning-changed finding)" % counts["skipped"])
    lines.append(
        "Source era: %s (meaning-changed rules rewrite only code older than the change; --explain-era says why)"
        % ", ".join(parts)
    )
    return lines
