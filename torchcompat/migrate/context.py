"""What a rule works with: :class:`Options` (target, portable, select/ignore), :class:`Finding` (one report
with the edits that fix it) and :class:`Context`, the per-file view a rule queries (names, spans, arguments,
tokens) and reports through. The driver (:mod:`.engine`) builds one Context per pass and walks the tree.
"""

from __future__ import annotations

import ast
import dataclasses
import tokenize
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

from torchcompat._release import parse as parse_version
from torchcompat.migrate.names import Imports
from torchcompat.migrate.rule import Rule
from torchcompat.migrate.source import Lines, newline_of

__all__ = ["Options", "Finding", "Context", "parent_map", "PORTABLE_FLOOR", "DEFAULT_TARGET"]

#: The oldest release ``--portable`` output must run on: a plain rewrite whose API exists from here on
#: is portable as it is; newer APIs go through ``torchcompat`` adapters.
PORTABLE_FLOOR = "1.0"
#: ``--target-version`` when none is given: the oldest installable release (like ruff's oldest Python).
DEFAULT_TARGET = "1.0"


@dataclasses.dataclass
class Options:
    target: str = DEFAULT_TARGET
    portable: bool = False
    select: Tuple[str, ...] = ()
    ignore: Tuple[str, ...] = ()
    fix: bool = False
    safe_only: bool = False
    #: target releases of the domain libraries (``{"torchvision": "0.13"}``, ``--target torchvision=0.13``);
    #: a library not named here targets the release paired with ``target`` (torchcompat.shifts.pairing)
    targets: Dict[str, str] = dataclasses.field(default_factory=dict)
    #: project mode: the file's view of the project index (:class:`torchcompat.migrate.project.ProjectView`),
    #: set per file by the runner; rules read it as ``ctx.project`` (None for a lone text)
    project: Any = dataclasses.field(default=None, compare=False, repr=False)
    #: ``--trace``: the loaded run-time traces (:class:`torchcompat.migrate.trace.Traces`), and the file's own
    #: (:class:`~torchcompat.migrate.trace.FileTrace`, set per file by the runner); rules ask ``ctx.seen(node)``
    traces: Any = dataclasses.field(default=None, compare=False, repr=False)
    trace: Any = dataclasses.field(default=None, compare=False, repr=False)
    #: the torch release the code was written for (``--source-version``, or a pyproject.toml's
    #: ``[tool.torchcompat] source-version`` through :meth:`for_file`); None: a file header, else inferred
    source: Optional[str] = None
    #: who declared ``source``: ``"--source-version"`` or the pyproject.toml's path
    source_origin: str = ""
    #: also read ``[tool.torchcompat] source-version`` from the nearest pyproject.toml above each file
    use_pyproject: bool = True
    #: infer every file's era in full (``--explain-era``); else only files where a meaning-changed rule fired
    explain_era: bool = False

    def __post_init__(self) -> None:
        self.target_version = parse_version(self.target, warn=False)
        self.floor_version = parse_version(PORTABLE_FLOOR, warn=False)
        if self.source is not None and not self.source_origin:
            self.source_origin = "--source-version"

    def for_file(self, path: str) -> "Options":
        """These options for one file: the nearest pyproject.toml's ``source-version`` when no
        ``--source-version`` was given (the flag wins)."""
        if self.source is not None or not self.use_pyproject:
            return self
        from torchcompat.migrate.era import pyproject_version

        version, origin = pyproject_version(path)
        if version is None:
            return self
        return dataclasses.replace(self, source=version, source_origin=origin or "pyproject.toml")

    def era_allows(self, r: Rule, era: Any, evidence: Optional[str] = None) -> bool:
        """The era gate: may a finding of rule ``r`` in a file of source era ``era`` (an
        :class:`~torchcompat.migrate.era.Era`, None: unknown) be rewritten? Rules of spelling records
        always; rules of meaning records only when the era predates the behaviour change, or when
        run-time ``evidence`` (``"trace"``: a trace saw this site) proves what the code did, or the project
        does (``"project"``: TC601 found the file that writes the checkpoint a load reads)."""
        from torchcompat.migrate.era import change_version

        change = change_version(r)
        if change is None or evidence in ("trace", "project"):
            return True
        return era is not None and era.predates(change)

    def target_of(self, library: str = "torch", portable: Optional[bool] = None) -> Optional[str]:
        """The release of ``library`` the output must run on (None: no release of it pairs with the target)."""
        floor = self.portable if portable is None else portable
        if library == "torch":
            return PORTABLE_FLOOR if floor else self.target
        from torchcompat.shifts.pairing import paired

        if library in self.targets and not floor:
            return self.targets[library]
        return paired(library, PORTABLE_FLOOR if floor else self.target)

    def enabled(self, code: str, default: bool = True) -> bool:
        """``--select``/``--ignore`` by code prefix; an opt-in rule (``default=False``) needs its full
        code in ``--select``."""
        if not default and code not in self.select:
            return False
        if self.select and not any(code.startswith(p) for p in self.select):
            return False
        return not any(code.startswith(p) for p in self.ignore)

    def allows(self, version: str, library: str = "torch") -> bool:
        """Whether output may use a plain API of ``library`` (torch by default) that exists from ``version`` on."""
        if library != "torch":
            limit = self.target_of(library)
            return limit is not None and parse_version(version, warn=False) <= parse_version(limit, warn=False)
        limit = self.floor_version if self.portable else self.target_version
        return parse_version(version, warn=False) <= limit

    def rule_can_fix(self, r: Rule) -> bool:
        if not r.fixable or (self.safe_only and not r.safe):
            return False
        if self.portable:
            return r.portable == "adapter" or (r.portable == "plain" and self.allows(r.min_version, r.library))
        return self.allows(r.min_version, r.library)


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
    #: what proves the rewrite right besides the source era: ``"trace"`` when a run-time trace saw this
    #: site (set by the rule); the era gate (:meth:`Options.era_allows`) accepts such edits at any era;
    #: ``"exact"``: the rewrite means the same on every release (torchcompat.migrate.era.gate lets it pass)
    evidence: Optional[str] = None

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
        self._refs: Set[Tuple[str, str]] = set()  # (module, local name) written by the current fix
        self._bound_at: Optional[Dict[str, int]] = None
        self.tokens: List[tokenize.TokenInfo] = []
        self._tokens_done = False
        self.parse_edits: List[Tuple[int, int, str]] = []  # token rules: edits needed to parse at all
        self.claimed: Set[Any] = set()  # keys rules use to coordinate within one pass
        self._qualnames: Dict[ast.AST, Optional[str]] = {}  # node (hashed by identity) -> qualname
        self.project = options.project  # the project index as seen from this file, or None
        self.trace = options.trace  # this file's run-time trace (``--trace``), or None

    # --- targets ---------------------------------------------------------------------------
    @property
    def portable(self) -> bool:
        return self.options.portable

    def allows(self, version: str, library: str = "torch") -> bool:
        return self.options.allows(version, library)

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
            self._refs.add((module, local))
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
                    self._refs.add((".".join(parts[:i]), local))
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

    def seen(self, node: ast.AST, *kinds: str) -> List[Dict[str, Any]]:
        """What a run-time trace saw at ``node`` (events of ``kinds``: ``"div"``, ``"index-0dim"``, ``"mask"``
        ... see :data:`torchcompat.migrate.trace.KINDS`); ``[]`` without a trace or where the text changed."""
        return [] if self.trace is None or self.tree is None else self.trace.at(self, node, kinds)

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
        refs, self._refs = self._refs, set()
        can_fix = bool(edits) and self.options.rule_can_fix(r)
        for module, local in refs:  # a name the fix writes must be bound above the line it is written on
            first = self.bound_at(local.split(".", 1)[0])
            if first is not None and first > line:
                if local == module and "." not in module:
                    imports.add(module)  # `import torch` comes later in the file: add one above
                else:
                    can_fix = False  # an alias bound later (`import torch as tt`): report only
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

    def bound_at(self, local: str) -> Optional[int]:
        """The first line where a module-level import binds ``local`` (None: not bound by one)."""
        if self._bound_at is None:
            found: Dict[str, int] = {}
            for stmt in getattr(self.tree, "body", None) or ():
                if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                    for alias in stmt.names:
                        name = alias.asname or alias.name.split(".", 1)[0]
                        found.setdefault(name, stmt.lineno)
            self._bound_at = found
        return self._bound_at.get(local)

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
