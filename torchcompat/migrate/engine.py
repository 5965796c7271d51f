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
import re
import sys
import tokenize
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Set, Tuple

from torchcompat._release import parse as parse_version
from torchcompat.migrate.names import Imports
from torchcompat.migrate.rule import OLDEST, RULES, Rule, derived_version, hint_pattern, rule
from torchcompat.migrate.source import Lines, newline_of

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

#: The oldest release ``--portable`` output must run on: a plain rewrite whose API exists from here on
#: is portable as it is; newer APIs go through ``torchcompat`` adapters.
PORTABLE_FLOOR = "1.0"
#: ``--target-version`` when none is given: the oldest installable release (like ruff's oldest Python).
DEFAULT_TARGET = "1.0"
#: Passes of the fix loop before the engine gives up on reaching a fixed point.
MAX_PASSES = 10

MIN_PYTHON = (3, 8)  # ast end positions


class RuleError(RuntimeError):
    """A rule raised: a bug in the rule, reported for the file (the run goes on, the file is untouched)."""


@dataclasses.dataclass
class Options:
    target: str = DEFAULT_TARGET
    portable: bool = False
    select: Tuple[str, ...] = ()
    ignore: Tuple[str, ...] = ()
    fix: bool = False
    safe_only: bool = False

    def __post_init__(self) -> None:
        self.target_version = parse_version(self.target, warn=False)
        self.floor_version = parse_version(PORTABLE_FLOOR, warn=False)

    def enabled(self, code: str, default: bool = True) -> bool:
        """``--select``/``--ignore`` by code prefix; an opt-in rule (``default=False``) needs its full
        code in ``--select``."""
        if not default and code not in self.select:
            return False
        if self.select and not any(code.startswith(p) for p in self.select):
            return False
        return not any(code.startswith(p) for p in self.ignore)

    def allows(self, version: str) -> bool:
        """Whether output may use a plain torch API that exists from ``version`` on."""
        limit = self.floor_version if self.portable else self.target_version
        return parse_version(version, warn=False) <= limit

    def rule_can_fix(self, r: Rule) -> bool:
        if not r.fixable or (self.safe_only and not r.safe):
            return False
        if self.portable:
            return r.portable == "adapter" or (r.portable == "plain" and self.allows(r.min_version))
        return self.allows(r.min_version)


@dataclasses.dataclass
class Finding:
    code: str
    line: int
    col: int  # 1-based, in characters
    message: str
    fixable: bool = False
    severity: str = "error"  # "warning": a heuristic or a case the tool cannot decide
    edits: List[Tuple[int, int, str]] = dataclasses.field(default_factory=list)
    imports: Set[str] = dataclasses.field(default_factory=set)
    offset: int = 0

    def as_dict(self) -> Dict[str, Any]:
        return {
            "code": self.code,
            "line": self.line,
            "col": self.col,
            "message": self.message,
            "fixable": self.fixable,
            "severity": self.severity,
        }


class Context:
    """What a rule sees: the text, the tree, names, options, and ways to report with edits."""

    def __init__(self, text: str, tree: Optional[ast.AST], options: Options) -> None:
        self.text = text
        self.tree = tree
        self.options = options
        self.lines = Lines(text)
        self.newline = newline_of(text)
        self.imports = Imports(tree) if tree is not None else None
        self._parents: Optional[Dict[int, ast.AST]] = None
        self.findings: List[Finding] = []
        self.rule: Optional[Rule] = None
        self._pending: Set[str] = set()
        self.tokens: List[tokenize.TokenInfo] = []
        self._tokens_done = False
        self.parse_edits: List[Tuple[int, int, str]] = []  # token rules: edits needed to parse at all
        self.claimed: Set[Any] = set()  # keys rules use to coordinate within one pass

    # --- targets ---------------------------------------------------------------------------
    @property
    def portable(self) -> bool:
        return self.options.portable

    def allows(self, version: str) -> bool:
        return self.options.allows(version)

    # --- names -----------------------------------------------------------------------------
    def qualname(self, node: ast.AST) -> Optional[str]:
        """The canonical qualified name of ``node`` resolved through the module's imports, or None
        (also when an enclosing function rebinds the root name, e.g. a parameter called ``F``)."""
        if self.imports is None:
            return None
        found = self.imports.qualname(node)
        if found is None:
            return None
        root = node
        while isinstance(root, ast.Attribute):
            root = root.value
        if root.id not in self.imports.rebound_locally:  # type: ignore[attr-defined]
            return found
        for scope in self.ancestors(node):
            if isinstance(
                scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
            ) and root.id in self.imports.local_names(scope):  # type: ignore[attr-defined]
                return None
        return found

    def module_ref(self, module: str) -> str:
        """The local name to write for module ``torch``, ``torchcompat``, ``math`` ...; the fix adds
        ``import <module>`` (``import torchcompat as tc``) when the module is not imported yet."""
        local = self.imports.local_for(module) if self.imports is not None else None
        if local is not None:
            return local
        self._pending.add(module)
        return "tc" if module == "torchcompat" else module

    def torch(self, path: str = "") -> str:
        """Source text for ``torch.<path>`` (``torch.nn.functional.interpolate``), via the module's
        own alias of the deepest imported prefix (``F.interpolate`` when ``F`` is torch.nn.functional)."""
        full = "torch." + path if path else "torch"
        if self.imports is not None:
            parts = full.split(".")
            for i in range(len(parts), 0, -1):
                local = self.imports.local_for(".".join(parts[:i]))
                if local is not None:
                    return ".".join([local] + parts[i:])
        return ".".join([self.module_ref("torch")] + full.split(".")[1:])

    def tc(self, path: str) -> str:
        return self.module_ref("torchcompat") + "." + path

    @property
    def parents(self) -> Dict[int, ast.AST]:
        """id(node) -> parent node, built on first use."""
        if self._parents is None:
            self._parents = parent_map(self.tree) if self.tree is not None else {}
        return self._parents

    def parent(self, node: ast.AST) -> Optional[ast.AST]:
        return self.parents.get(id(node))

    def ancestors(self, node: ast.AST) -> Iterable[ast.AST]:
        parents = self.parents
        parent = parents.get(id(node))
        while parent is not None:
            yield parent
            parent = parents.get(id(parent))

    # --- spans -----------------------------------------------------------------------------
    def start(self, node: Any) -> int:
        if type(node) is ast.keyword and getattr(node, "lineno", None) is None:  # Python 3.8
            span = self.keyword_span(None, node)  # type: ignore[arg-type]
            return span[0] if span is not None else self.start(node.value)
        return self.lines.offset(node.lineno, node.col_offset)

    def end(self, node: Any) -> int:
        if type(node) is ast.keyword and getattr(node, "end_lineno", None) is None:  # Python 3.8
            return self.end(node.value)
        return self.lines.offset(node.end_lineno, node.end_col_offset)

    def span(self, node: Any) -> Tuple[int, int]:
        return self.start(node), self.end(node)

    def source(self, node: Any) -> str:
        start, end = self.span(node)
        return self.text[start:end]

    def keyword_span(self, call: ast.Call, kw: ast.keyword) -> Optional[Tuple[int, int]]:
        """Span of ``name=value`` of a keyword argument (``**kw`` included)."""
        if getattr(kw, "lineno", None) is not None:
            return self.start(kw), self.end(kw)
        # Python 3.8: keywords carry no position; walk back from the value over "name =".
        pos = self.start(kw.value)
        text = self.text
        i = pos - 1
        while i >= 0 and text[i] in " \t\r\n\\":
            i -= 1
        if kw.arg is None:
            if text[i - 1 : i + 1] == "**":
                return i - 1, self.end(kw.value)
            return None
        if i < 0 or text[i] != "=":
            return None
        i -= 1
        while i >= 0 and text[i] in " \t\r\n\\":
            i -= 1
        name_start = i - len(kw.arg) + 1
        if text[name_start : i + 1] != kw.arg:
            return None
        return name_start, self.end(kw.value)

    def keyword_name_span(self, call: ast.Call, kw: ast.keyword) -> Optional[Tuple[int, int]]:
        span = self.keyword_span(call, kw)
        if span is None or kw.arg is None:
            return None
        return span[0], span[0] + len(kw.arg)

    def argument_nodes(self, call: ast.Call) -> List[Any]:
        """Positional and keyword arguments in source order."""
        items: List[Any] = list(call.args) + list(call.keywords)
        return sorted(items, key=lambda a: self._arg_start(call, a))

    def _arg_start(self, call: ast.Call, arg: Any) -> int:
        if isinstance(arg, ast.keyword):
            span = self.keyword_span(call, arg)
            return span[0] if span else self.start(arg.value)
        return self.start(arg)

    def remove_argument(self, call: ast.Call, arg: Any) -> Optional[Tuple[int, int, str]]:
        """An edit deleting one argument with its comma."""
        items = self.argument_nodes(call)
        index = next((i for i, a in enumerate(items) if a is arg), None)
        if index is None:
            return None
        if isinstance(arg, ast.keyword):
            span = self.keyword_span(call, arg)
            if span is None:
                return None
            start, end = span
        else:
            start, end = self.span(arg)
        if index > 0:  # from the end of the previous argument
            prev = items[index - 1]
            prev_end = self.end(prev.value if isinstance(prev, ast.keyword) else prev)
            return prev_end, end, ""
        if len(items) > 1:  # first of several: up to the next argument
            nxt = items[1]
            return start, self._arg_start(call, nxt), ""
        # the only argument: everything between the parentheses
        open_paren = self.text.index("(", self.end(call.func))
        close_paren = self.end(call) - 1
        return open_paren + 1, close_paren, ""

    def append_arguments(self, call: ast.Call, text: str) -> Tuple[int, int, str]:
        """An edit adding ``text`` (``"mode='nearest'"``) after the last argument."""
        items = self.argument_nodes(call)
        if not items:
            close = self.end(call) - 1
            return close, close, text
        last = items[-1]
        end = self.end(last.value if isinstance(last, ast.keyword) else last)
        return end, end, ", " + text

    def line_indent(self, lineno: int) -> str:
        line = self.lines.line(lineno)
        return line[: len(line) - len(line.lstrip(" \t"))]

    # --- reporting -------------------------------------------------------------------------
    def report(
        self,
        node: Any = None,
        message: Optional[str] = None,
        edits: Optional[List[Tuple[int, int, str]]] = None,
        warning: bool = False,
        offset: Optional[int] = None,
    ) -> Finding:
        """Report a finding of the current rule at ``node`` (or text ``offset``), with the ``edits``
        that fix it (None: not fixable here). Edits are dropped when the options do not allow the fix."""
        r = self.rule
        assert r is not None
        if offset is None:
            offset = self.start(node)
        line, col = self.lines.position(offset)
        imports, self._pending = self._pending, set()
        can_fix = bool(edits) and self.options.rule_can_fix(r)
        finding = Finding(
            code=r.code,
            line=line,
            col=col + 1,
            message=r.format(message) if message else r.message,
            fixable=can_fix,
            severity="warning" if warning else "error",
            edits=list(edits) if can_fix and edits else [],
            imports=imports if can_fix else set(),
            offset=offset,
        )
        self.findings.append(finding)
        return finding

    def load_tokens(self) -> List[tokenize.TokenInfo]:
        if not self._tokens_done:
            import io

            self._tokens_done = True
            try:
                self.tokens = list(tokenize.generate_tokens(io.StringIO(self.text).readline))
            except (tokenize.TokenError, SyntaxError, IndentationError):
                self.tokens = []
        return self.tokens


@dataclasses.dataclass
class Result:
    findings: List[Finding]
    text: str  # the fixed text (the input when nothing changed)
    changed: bool = False
    error: Optional[str] = None  # a parse failure or an internal error: the file is left alone
    fixed: Dict[str, int] = dataclasses.field(default_factory=dict)  # code -> fixes applied
    remaining: List[Finding] = dataclasses.field(default_factory=list)


_QUICK = re.compile(r"torch|\basync\s*=|functorch")


_ENABLED_CACHE: Dict[Tuple[Tuple[str, ...], Tuple[str, ...]], List[Rule]] = {}


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
        if not r.may_fire(text):
            continue
        if r.tokens:
            token_rules.append(r)
        for node_type in r.nodes:
            by_type.setdefault(node_type, []).append(r)
    return token_rules, by_type


#: Child fields worth visiting per node type (expression contexts and operators have no rules).
_FIELDS: Dict[type, Tuple[str, ...]] = {}
_LEAF_TYPES = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)


def _children(node: ast.AST) -> List[ast.AST]:
    kind = type(node)
    fields = _FIELDS.get(kind)
    if fields is None:
        fields = _FIELDS[kind] = tuple(f for f in kind._fields if f not in ("ctx", "op", "ops"))
    out: List[ast.AST] = []
    for field in fields:
        value = getattr(node, field, None)
        if value is None:
            continue
        if type(value) is list:
            out.extend(item for item in value if isinstance(item, ast.AST))
        elif isinstance(value, ast.AST) and not isinstance(value, _LEAF_TYPES):
            out.append(value)
    return out


def parent_map(tree: ast.AST) -> Dict[int, ast.AST]:
    """id(node) -> parent for every node (built once per file, when a rule first asks)."""
    parents: Dict[int, ast.AST] = {}
    stack = [tree]
    while stack:
        node = stack.pop()
        for child in _children(node):
            parents[id(child)] = node
            stack.append(child)
    return parents


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


def analyse(text: str, options: Options) -> Analysis:
    """One pass: token rules (their edits applied so that the text parses), then the AST rules."""
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
    if not by_type and not findings:
        return Analysis(findings, text, seen, None, None)  # no rule can fire here: not even parsed
    try:
        tree = ast.parse(seen)
    except (SyntaxError, ValueError) as exc:
        lineno = getattr(exc, "lineno", None)
        where = ":%s:%s" % (lineno, (getattr(exc, "offset", 0) or 0)) if lineno else ""
        return Analysis(findings, text, seen, None, "%s%s: %s" % (type(exc).__name__, where, getattr(exc, "msg", exc)))
    ctx = Context(seen, tree, options)
    if by_type:
        _walk(tree, by_type, ctx)
        ctx.findings.sort(key=lambda f: f.offset)
        findings.extend(ctx.findings)
        if len(findings) > len(ctx.findings):
            findings.sort(key=lambda f: (f.line, f.col))
    return Analysis(findings, text, seen, ctx, None)


def _overlaps(a: Tuple[int, int, str], b: Tuple[int, int, str]) -> bool:
    if a[0] == a[1] == b[0] == b[1]:
        return True
    return a[0] < b[1] and b[0] < a[1] or (a[0] == a[1] and b[0] < a[0] < b[1]) or (b[0] == b[1] and a[0] < b[0] < a[1])


def _apply_edits(text: str, edits: List[Tuple[int, int, str]]) -> str:
    out = []
    pos = 0
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
        out.append(text[pos:start])
        out.append(new)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _import_edit(ctx: Context, modules: Set[str]) -> Optional[Tuple[int, int, str]]:
    """One edit adding ``import torch`` / ``import torchcompat as tc`` at the top of the module."""
    tree = ctx.tree
    if tree is None or not modules or not getattr(tree, "body", None):
        return None
    lines = []
    for module in sorted(modules):
        if ctx.imports is not None and ctx.imports.local_for(module) is not None:
            continue
        lines.append("import torchcompat as tc" if module == "torchcompat" else "import " + module)
    if not lines:
        return None
    body = tree.body
    anchor = None
    for stmt in body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in stmt.names]
            module = getattr(stmt, "module", None) or ""
            if module == "__future__":
                anchor = stmt
                continue
            if module.split(".")[0] == "torch" or any(n.split(".")[0] == "torch" for n in names):
                anchor = stmt
                break
    if anchor is None:
        index = 0
        if (
            isinstance(body[0], ast.Expr)
            and isinstance(getattr(body[0], "value", None), ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            anchor = body[0]
            index = 1
        while index < len(body) and isinstance(body[index], ast.ImportFrom) and body[index].module == "__future__":
            anchor = body[index]
            index += 1
    nl = ctx.newline
    text = "".join(line + nl for line in lines)
    if anchor is None:
        first = body[0]
        if getattr(first, "decorator_list", None):
            first = first.decorator_list[0]
        pos = ctx.lines.starts[first.lineno - 1]
        return pos, pos, text
    is_torch_anchor = not (isinstance(anchor, ast.ImportFrom) and anchor.module == "__future__") and not (
        isinstance(anchor, ast.Expr)
    )
    if is_torch_anchor and lines[0] == "import torch" and anchor.col_offset == 0:
        before = [line for line in lines if line == "import torch"]
        after = [line for line in lines if line != "import torch"]
        if not after:  # `import torch` goes above `import torch.nn as nn` (isort order)
            pos = ctx.lines.starts[anchor.lineno - 1]
            return pos, pos, "".join(line + nl for line in before)
    end_line = anchor.end_lineno
    if end_line < len(ctx.lines.starts):
        pos = ctx.lines.starts[end_line]
        return pos, pos, text
    pos = len(ctx.text)
    return pos, pos, nl + text.rstrip("\r\n")


def _apply(text: str, findings: List[Finding], ctx: Optional[Context]) -> Tuple[str, List[Finding]]:
    taken: List[Tuple[int, int, str]] = []
    applied: List[Finding] = []
    for f in findings:
        if not f.fixable or not f.edits:
            continue
        if any(_overlaps(e, t) for e in f.edits for t in taken):
            continue
        if any(_overlaps(a, b) for i, a in enumerate(f.edits) for b in f.edits[i + 1 :]):
            continue
        taken.extend(f.edits)
        applied.append(f)
    if not applied:
        return text, []
    modules: Set[str] = set()
    for f in applied:
        modules |= f.imports
    if modules and ctx is not None:
        edit = _import_edit(ctx, modules)
        if edit is not None:
            taken.append(edit)
    return _apply_edits(text, taken), applied


def process_text(text: str, options: Options) -> Result:
    """Check (and with ``options.fix``, fix) one module's text."""
    if sys.version_info < MIN_PYTHON:
        raise RuntimeError(
            "torchcompat check/migrate needs Python >= 3.8 (ast end positions); this is %s" % sys.version.split()[0]
        )
    if not _QUICK.search(text):
        return Result([], text)
    analysis = analyse(text, options)
    first = analysis.findings
    if analysis.error is not None:
        return Result(first, text, error=analysis.error)
    if not options.fix:
        return Result(first, text, remaining=first)
    fixed: Dict[str, int] = {}
    current = text
    remaining = first
    for _ in range(MAX_PASSES):
        findings = analysis.findings
        remaining = findings
        if not any(f.fixable for f in findings):
            break
        token_findings = [f for f in findings if RULES[f.code].tokens]
        ast_findings = [f for f in findings if not RULES[f.code].tokens]
        # token edits are in `text` coordinates; AST edits in `seen` coordinates (text + token edits)
        new_text, applied = _apply(current, token_findings, None)
        if new_text == analysis.seen:
            new_text, ast_applied = _apply(analysis.seen, ast_findings, analysis.ctx)
            applied = applied + ast_applied
        if not applied:
            break
        for f in applied:
            fixed[f.code] = fixed.get(f.code, 0) + 1
        current = new_text
        analysis = analyse(current, options)
        if analysis.error is not None:
            return Result(
                first,
                text,
                error="internal: a fix produced unparsable code (%s); file left unchanged" % analysis.error,
                remaining=first,
            )
    else:
        remaining = analysis.findings
    if current == text:
        return Result(first, text, fixed=fixed, remaining=remaining)
    try:
        ast.parse(current)
    except (SyntaxError, ValueError) as exc:  # pragma: no cover - guarded by the loop
        return Result(first, text, error="internal: fixed code does not parse (%s)" % exc, remaining=first)
    return Result(first, current, changed=True, fixed=fixed, remaining=remaining)
