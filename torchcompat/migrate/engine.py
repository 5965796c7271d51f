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
import bisect
import dataclasses
import gc
import re
import sys
import tokenize
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Sequence, Set, Tuple

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
        self._qualnames: Dict[ast.AST, Optional[str]] = {}  # node (hashed by identity) -> qualname

    # --- targets ---------------------------------------------------------------------------
    @property
    def portable(self) -> bool:
        return self.options.portable

    def allows(self, version: str) -> bool:
        return self.options.allows(version)

    # --- names -----------------------------------------------------------------------------
    def qualname(self, node: ast.AST) -> Optional[str]:
        """The canonical qualified name of ``node`` resolved through the module's imports, or None
        (also when an enclosing function rebinds the root name, e.g. a parameter called ``F``).
        Memoised per node: a dozen rules ask for the name of every call's ``func``."""
        try:
            return self._qualnames[node]
        except KeyError:
            found = self._qualnames[node] = self._qualname(node)
            return found

    def _qualname(self, node: ast.AST) -> Optional[str]:
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

    def names_of(self, name: str) -> List[ast.Name]:
        """Every ``Name`` node spelled ``name``, from an index built once per file (a rule that walked
        the whole tree once per finding made dense files quadratic)."""
        index = self.__dict__.get("_names_index")
        if index is None:
            index = self.__dict__["_names_index"] = {}
            if self.tree is not None:
                for node in ast.walk(self.tree):
                    if type(node) is ast.Name:
                        index.setdefault(node.id, []).append(node)
        return index.get(name, [])

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
        # Python 3.8: keywords carry no position; walk back from the value over "name =" (and over
        # parentheses around the value, whose closing ones then end the span).
        pos = self.start(kw.value)
        text = self.text
        i = pos - 1
        opened = 0
        while i >= 0 and text[i] in " \t\r\n\\(":
            opened += text[i] == "("
            i -= 1
        end = self.end(kw.value)
        while opened and end < len(text) and text[end] in " \t\r\n\\)":
            opened -= text[end] == ")"
            end += 1
        if opened:
            return None
        if kw.arg is None:
            if text[i - 1 : i + 1] == "**":
                return i - 1, end
            return None
        if i < 0 or text[i] != "=":
            return None
        i -= 1
        while i >= 0 and text[i] in " \t\r\n\\":
            i -= 1
        name_start = i - len(kw.arg) + 1
        if text[name_start : i + 1] != kw.arg:
            return None
        return name_start, end

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
        """An edit adding ``text`` (``"mode='nearest'"``) as the last argument of ``call``, inside the
        call's own parentheses: after any parentheses around the last argument (``f(x, m=(a if c else
        b))``), before a trailing comma and comments; in a call with one argument per line and a trailing
        comma, on a line of its own."""
        src = self.text
        close = self.end(call) - 1  # the call's own ")"
        items = self.argument_nodes(call)
        if not items:
            return close, close, text
        last = items[-1]
        value = last.value if isinstance(last, ast.keyword) else last
        pos = self.end(value)
        if pos > close:  # a bare generator expression shares the call's parentheses: give it its own
            inner = src.index("(", self.end(call.func)) + 1
            return inner, close, "(%s), %s" % (src[inner:close], text)
        # Between the argument's expression and the call's ")" there can only be the argument's own
        # closing parentheses, one comma, comments, line continuations and white space.
        arg_end = pos
        comma = -1
        i = pos
        while i < close:
            ch = src[i]
            if ch == "#":
                while i < close and src[i] not in "\r\n":
                    i += 1
                continue
            if ch == ")" and comma < 0:
                arg_end = i + 1
            elif ch == ",":
                comma = i
            i += 1
        if comma >= 0:
            line_end = comma + 1
            while line_end < close and src[line_end] not in "\r\n":
                line_end += 1
            first = self._arg_start(call, last)
            line_start = max(src.rfind("\n", 0, first), src.rfind("\r", 0, first)) + 1
            before = src[line_start:first]  # indentation, and the argument's own opening parentheses
            indent = before[: len(before) - len(before.lstrip(" \t"))]
            own_line = not before.replace("(", " ").strip()
            if own_line and line_end < close and src[comma + 1 : line_end].strip()[:1] in ("", "#"):
                return line_end, line_end, "%s%s%s," % (self.newline, indent, text)
        return arg_end, arg_end, ", " + text

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

    def string_lines(self) -> Set[int]:
        """Line numbers that begin inside a multi-line string (text that must not be re-indented), from
        one streaming pass over the tokens, kept per file: a token list weighs as much as the tree."""
        found: Optional[Set[int]] = self.__dict__.get("_string_lines")
        if found is None:
            import io

            found = set()
            layout = (tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT, tokenize.DEDENT, tokenize.INDENT)
            tokens = self.tokens if self._tokens_done else tokenize.generate_tokens(io.StringIO(self.text).readline)
            try:
                for tok in tokens:
                    if tok.start[0] < tok.end[0] and tok.type not in layout:
                        found.update(range(tok.start[0] + 1, tok.end[0] + 1))
            except (tokenize.TokenError, SyntaxError, IndentationError):
                found = set()
            self.__dict__["_string_lines"] = found
        return found


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
        del tctx  # its token list is as large as the tree: not both at once
    if not by_type and not findings:
        return Analysis(findings, text, seen, None, None)  # no rule can fire here: not even parsed
    try:
        tree = ast.parse(seen)
    except (SyntaxError, ValueError) as exc:
        return Analysis(findings, text, seen, None, _syntax(exc))
    ctx = Context(seen, tree, options)
    if by_type:
        _walk(tree, by_type, ctx)
        ctx.findings.sort(key=lambda f: f.offset)
        findings.extend(ctx.findings)
        if len(findings) > len(ctx.findings):
            findings.sort(key=lambda f: (f.line, f.col))
    return Analysis(findings, text, seen, ctx, None)


def _overlaps(a: Tuple[int, int, str], b: Tuple[int, int, str]) -> bool:
    """Two edits conflict: their spans share text, or both insert at the same point (an insertion at
    the boundary of a replaced span does not conflict)."""
    if a[0] == a[1] == b[0] == b[1]:
        return True
    return a[0] < b[1] and b[0] < a[1]


class _Taken:
    """The spans of the edits accepted so far, sorted, with an overlap test in O(log n) per edit
    (a per-pair test over every accepted edit made dense files quadratic)."""

    def __init__(self) -> None:
        self.spans: List[Tuple[int, int]] = []  # sorted; pairwise non-conflicting, so ends are sorted too

    def conflicts(self, start: int, end: int) -> bool:
        spans = self.spans
        i = bisect.bisect_left(spans, (end, -1))  # spans[:i] start before `end`
        if i and spans[i - 1][1] > start:
            return True  # the one with the largest end among them reaches past `start`
        if start == end:
            j = bisect.bisect_left(spans, (start, start))
            return j < len(spans) and spans[j] == (start, start)
        return False

    def add(self, start: int, end: int) -> None:
        spans = self.spans
        if not spans or spans[-1] <= (start, end):
            spans.append((start, end))  # edits mostly arrive in source order
        else:
            bisect.insort(spans, (start, end))


def _self_overlapping(edits: List[Tuple[int, int, str]]) -> bool:
    """Whether some two edits of one finding conflict (sorted sweep, see :func:`_overlaps`)."""
    if len(edits) < 2:
        return False
    reach = -1
    previous = None
    for start, end in sorted((e[0], e[1]) for e in edits):
        if start < reach or (start == end and previous == (start, end)):
            return True
        reach = max(reach, end)
        previous = (start, end)
    return False


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


Edit = Tuple[int, int, str]


def _apply(text: str, findings: List[Finding], ctx: Optional[Context]) -> Tuple[str, List[Finding], List[Edit]]:
    """Apply every fixable finding whose edits conflict with no earlier one (and the imports they
    need): the new text, the findings applied, and the edits made (sorted)."""
    taken: List[Tuple[int, int, str]] = []
    spans = _Taken()
    applied: List[Finding] = []
    for f in findings:
        if not f.fixable or not f.edits:
            continue
        if any(spans.conflicts(e[0], e[1]) for e in f.edits) or _self_overlapping(f.edits):
            continue
        for e in f.edits:
            spans.add(e[0], e[1])
        taken.extend(f.edits)
        applied.append(f)
    if not applied:
        return text, [], []
    modules: Set[str] = set()
    for f in applied:
        modules |= f.imports
    if modules and ctx is not None:
        edit = _import_edit(ctx, modules)
        if edit is not None:
            taken.append(edit)
    taken.sort(key=lambda e: (e[0], e[1]))
    return _apply_edits(text, taken), applied, taken


Region = Tuple[int, int, int, int]


def _compose(regions: List[Region], edits: List[Edit]) -> List[Region]:
    """Where two texts differ, kept up to date across the passes of the fix loop: ``regions`` are
    ``(old_start, old_end, cur_start, cur_end)`` spans (the input text vs the current one; everything
    outside them is equal and in the same order); ``edits`` (sorted, current coordinates) make the next
    text. Returns the regions against that next text: overlapping or touching spans merge. Linear, so
    the diff of a large file needs no quadratic line matching (see :func:`.runner._diff`)."""
    items = sorted(
        [(r[2], r[3], 0, r) for r in regions] + [(e[0], e[1], 1, e) for e in edits], key=lambda x: (x[0], x[1])
    )
    out: List[Region] = []
    shift = 0  # next-text offset minus current offset, after the edits so far
    delta = 0  # current offset minus input offset, in the unchanged text after the regions so far
    i = 0
    while i < len(items):
        start, end = items[i][0], items[i][1]
        group = [items[i]]
        i += 1
        while i < len(items) and items[i][0] <= end:
            end = max(end, items[i][1])
            group.append(items[i])
            i += 1
        olds = [g[3] for g in group if g[2] == 0]
        growth = sum(len(g[3][2]) - (g[1] - g[0]) for g in group if g[2] == 1)
        old_start = olds[0][0] if olds and olds[0][2] == start else start - delta
        if olds:
            delta = olds[-1][3] - olds[-1][1]
        old_end = olds[-1][1] if olds and olds[-1][3] == end else end - delta
        delta = end - old_end
        out.append((old_start, old_end, start + shift, end + shift + growth))
        shift += growth
    return out


def process_text(text: str, options: Options) -> Result:
    """Check (and with ``options.fix``, fix) one module's text."""
    if sys.version_info < MIN_PYTHON:
        raise RuntimeError(
            "torchcompat check/migrate needs Python >= 3.8 (ast end positions); this is %s" % sys.version.split()[0]
        )
    if not _QUICK.search(text):
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
    analysis: Optional[Analysis] = analyse(text, options)
    assert analysis is not None
    first = analysis.findings
    if analysis.error is not None:
        return Result(first, text, error=analysis.error)
    if not options.fix:
        return Result(first, text, remaining=first)
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
        analysis = None  # one tree in memory at a time
        analysis = analyse(current, options)
        if analysis.error is not None:
            error = _invalid_output(_culprits(previous, options), analysis.error)
            return Result(first, text, error=error, remaining=first, internal=True)
    else:
        remaining = analysis.findings
    if current == text:
        return Result(first, text, fixed=fixed, remaining=remaining)
    if analysis.ctx is None or analysis.seen != current:  # the last pass did not parse `current` itself
        try:
            ast.parse(current)
        except (SyntaxError, ValueError) as exc:  # pragma: no cover - a fix that breaks the code is caught above
            error = _invalid_output(sorted(fixed), _syntax(exc))
            return Result(first, text, error=error, remaining=first, internal=True)
    return Result(first, current, changed=True, fixed=fixed, remaining=remaining, regions=regions)


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


def _culprits(text: str, options: Options) -> List[str]:
    """The rules whose fixes alone already make ``text`` unparsable (each tried by itself); all the
    rules of the pass when only their combination fails. Runs only after a failure, so cost is no issue."""
    analysis = analyse(text, options)
    codes = sorted({f.code for f in analysis.findings if f.fixable})
    guilty = []
    for code in codes:
        if RULES[code].tokens:
            token_findings = [f for f in analysis.findings if f.code == code]
            candidate, applied, _ = _apply(text, token_findings, None)
            failed = bool(applied) and analyse(candidate, options).error is not None
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
