"""Project mode: the files of one ``migrate`` run seen as one project.

A rule sees one file; some facts live in another. In a 2017 project ``main.py`` saves the whole model
(``torch.save(model, f)``) and ``generate.py`` loads it: the load alone looks like any load, and
``weights_only=True`` would be a guaranteed failure. :class:`ProjectIndex` is built once per run by the
runner, before the per-file pass, from the files that can matter (a quick text test first, then one parse):

* which files ``torch.save`` what: a state dict / tensors / plain containers (``"weights"``), an object of
  some class (``"model"``) or anything else (``"object"``), and to which checkpoint path: a literal, or a
  name whose value the file states (a module constant, an argparse ``default=``, ``with open(P) as f``);
* which names each file imports from sibling modules (``from model import RNNModel`` -> ``model.py``).

Rules reach it through ``ctx.project``, a :class:`ProjectView` of the file being processed (None outside a
run, e.g. for stdin or ``process_text``). The index never imports torch and never changes a file.
"""

from __future__ import annotations

import ast
import os
import posixpath
import re
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple

from torchcompat.migrate.context import Context, Options, parent_map
from torchcompat.migrate.source import decode

__all__ = ["Save", "ProjectIndex", "ProjectView", "payload_kind", "path_value", "build_index"]

#: a file whose text matches neither is not parsed for the index
_SAVES = re.compile(r"\bsave\s*\(")
_LOADS = re.compile(r"\bload\s*\(")
_FUNCTION_CLASS = re.compile(r"\bFunction\b")
_CLASS = re.compile(r"^[ \t]*class\s+(\w+)\s*\([^)]*\bFunction\b", re.M)
_WORD = re.compile(r"\w+")
_INSTANCE_FORWARD = re.compile(r"def\s+forward\s*\(\s*self\b")
#: methods whose result is loadable with ``weights_only=True``
_WEIGHT_METHODS = ("state_dict", "clone", "detach", "cpu", "cuda", "numpy", "tolist", "item", "float", "half")


class Save(NamedTuple):
    """One ``torch.save(obj, path)`` of the project."""

    file: str  # the saving file, as the runner names it
    line: int
    target: Optional[str]  # the checkpoint path it writes, normalised ("model.pt"), None when unknown
    kind: str  # "weights" | "model" | "object"
    call: str  # the call's source, for messages: "torch.save(model, f)"
    cell: Optional[int] = None  # in a notebook: the code cell (1-based among all cells), ``line`` within it

    def place(self) -> str:
        """Where the save is, for messages: ``line 12``, or ``cell 3, line 2`` in a notebook."""
        return "line %d" % self.line if self.cell is None else "cell %d, line %d" % (self.cell, self.line)


class _Facts:
    """What one file states: constants, argparse defaults, imports of sibling modules, saves."""

    def __init__(self, path: str, text: str, tree: ast.Module) -> None:
        self.path = path
        self.text = text
        self.tree = tree
        self.constants: Dict[str, str] = {}  # module-level NAME = "literal"
        self.arg_defaults: Dict[str, str] = {}  # argparse dest -> default (string defaults only)
        self.args_names: set = set()  # names bound to parser.parse_args()
        self.imports: Dict[str, Tuple[str, int, Optional[str]]] = {}  # local -> (module, level, name or None)
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                if isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
                    self.constants[stmt.targets[0].id] = stmt.value.value
        self.save_calls: List[ast.Call] = []  # calls spelled ``....save(a, b, ...)`` (torch's: checked later)
        self.function_classes: List[str] = []  # classes with a base spelled ``...Function``
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr == "add_argument":
                    self._argument(node)
                elif node.func.attr == "save" and len(node.args) >= 2:
                    self.save_calls.append(node)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "save":
                if len(node.args) >= 2:
                    self.save_calls.append(node)
            elif isinstance(node, ast.ClassDef) and any(_dotted(b).endswith("Function") for b in node.bases):
                self.function_classes.append(node.name)
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                func = node.value.func
                if isinstance(func, ast.Attribute) and func.attr == "parse_args":
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            self.args_names.add(target.id)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    local = alias.asname or alias.name.split(".", 1)[0]
                    self.imports[local] = (alias.name if alias.asname else local, 0, None)
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.name != "*":
                        self.imports[alias.asname or alias.name] = (node.module or "", node.level, alias.name)

    def _argument(self, call: ast.Call) -> None:
        dest = None
        for kw in call.keywords:
            if kw.arg == "dest" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                dest = kw.value.value
        if dest is None:
            flags = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            longs = [f for f in flags if f.startswith("--")] or flags
            if not longs:
                return
            dest = longs[0].lstrip("-").replace("-", "_")
        for kw in call.keywords:
            if kw.arg == "default" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                self.arg_defaults[dest] = kw.value.value


def _normal(path: str) -> str:
    return posixpath.normpath(path.replace("\\", "/"))


def path_value(node: Optional[ast.AST], facts: _Facts, parents: Dict[int, ast.AST], depth: int = 0) -> Optional[str]:
    """The checkpoint path an expression names, normalised, when the file itself states it: a literal, a
    module constant, ``args.x`` with an argparse ``default=``, ``os.path.join`` / ``+`` of those, and a
    file object opened by an enclosing ``with open(P, ...) as f`` (or ``f = open(P, ...)``)."""
    if node is None or depth > 6:
        return None
    if isinstance(node, ast.Constant):
        return _normal(node.value) if isinstance(node.value, str) and node.value else None
    if isinstance(node, ast.Name):
        opened = _opened(node, parents)
        if opened is not None:
            return path_value(opened, facts, parents, depth + 1)
        value = facts.constants.get(node.id)
        return _normal(value) if value else None
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in facts.args_names:
        value = facts.arg_defaults.get(node.attr)
        return _normal(value) if value else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = path_value(node.left, facts, parents, depth + 1)
        right = path_value(node.right, facts, parents, depth + 1)
        return _normal(left + right) if left is not None and right is not None else None
    if isinstance(node, ast.Call) and not node.keywords and _dotted(node.func) in ("os.path.join", "path.join"):
        parts = [path_value(a, facts, parents, depth + 1) for a in node.args]
        return _normal(posixpath.join(*parts)) if parts and all(p is not None for p in parts) else None  # type: ignore
    return None


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


def _opened(name: ast.Name, parents: Dict[int, ast.AST]) -> Optional[ast.AST]:
    """The path argument of ``open(P, ...)`` that an enclosing ``with ... as name`` binds."""
    node: Optional[ast.AST] = parents.get(id(name))
    while node is not None:
        if isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                var, expr = item.optional_vars, item.context_expr
                if isinstance(var, ast.Name) and var.id == name.id:
                    if isinstance(expr, ast.Call) and _dotted(expr.func) in ("open", "io.open") and expr.args:
                        return expr.args[0]
                    return None
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            break
        node = parents.get(id(node))
    return None


def _parameter(node: ast.AST, parents: Dict[int, ast.AST]) -> Optional[Tuple[ast.FunctionDef, str]]:
    """``(function, parameter)`` when ``node`` (or the ``open(P)`` an enclosing ``with ... as node`` binds)
    is a parameter of the module-level function around it that the function never rebinds."""
    if isinstance(node, ast.Name):
        opened = _opened(node, parents)
        if opened is not None:
            node = opened
    if not isinstance(node, ast.Name):
        return None
    func: Optional[ast.AST] = parents.get(id(node))
    while func is not None and not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
        func = parents.get(id(func))
    if not isinstance(func, ast.FunctionDef) or not isinstance(parents.get(id(func)), ast.Module):
        return None
    args = func.args
    if node.id not in [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]:
        return None
    for inner in ast.walk(func):
        if isinstance(inner, ast.Name) and inner.id == node.id and not isinstance(inner.ctx, ast.Load):
            return None  # rebound in the body: the call's value is not what is loaded
        if isinstance(inner, (ast.Global, ast.Nonlocal)) and node.id in inner.names:
            return None
    return func, node.id


def payload_kind(ctx: Context, node: ast.AST, depth: int = 0) -> str:
    """What ``torch.save(node, ...)`` writes: ``"weights"`` (state dicts, tensors, plain containers of
    them: loadable with ``weights_only=True``), ``"model"`` (an object of a class: ``model`` bound to
    ``RNNModel(...)``) or ``"object"`` (anything the tool cannot prove to be weights)."""
    if depth > 4:
        return "object"
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute) and node.func.attr in _WEIGHT_METHODS:
            return "weights"
        qual = ctx.qualname(node.func) or ""
        if qual.startswith("torch.") and qual not in ("torch.jit.script", "torch.jit.trace"):
            return "model" if qual.startswith("torch.nn.") and qual.split(".")[-1][:1].isupper() else "weights"
        tail = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        return "model" if tail[:1].isupper() else "object"
    if isinstance(node, ast.Constant):
        return "weights"
    if isinstance(node, ast.Dict):
        kinds = [payload_kind(ctx, v, depth + 1) for v in node.values]
        return "weights" if all(k is not None for k in node.keys) and all(k == "weights" for k in kinds) else "object"
    if isinstance(node, (ast.List, ast.Tuple)):
        return "weights" if all(payload_kind(ctx, e, depth + 1) == "weights" for e in node.elts) else "object"
    if isinstance(node, ast.Name):
        values = _assigned(ctx, node)
        kinds = {payload_kind(ctx, v, depth + 1) for v in values}
        if "model" in kinds:
            return "model"
        return "weights" if kinds == {"weights"} else "object"
    return "object"


def _assigned(ctx: Context, name: ast.Name) -> List[ast.AST]:
    """The values of every plain ``name = value`` of the name's scope (an index built once per file)."""
    index = ctx.__dict__.get("_project_assigned")
    if index is None:
        index = ctx.__dict__["_project_assigned"] = {}
        for node in ast.walk(ctx.tree):  # type: ignore[arg-type]
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        index.setdefault(target.id, []).append(node.value)
    return index.get(name.id, [])


class ProjectIndex:
    """The facts of a project's files that rules in other files need (see the module docstring)."""

    def __init__(self, files: Sequence[str], texts: Dict[str, str], others: Optional[Dict[str, str]] = None) -> None:
        self.files = [f for f in files if f != "-"]
        #: the text of every readable file of the run, for :meth:`callers` (parsed only when a name matches)
        self.texts: Dict[str, str] = dict(others or {})
        self.texts.update(texts)
        self._real = {os.path.realpath(f): f for f in self.files}
        self.root = os.path.commonpath([os.path.dirname(os.path.realpath(f)) for f in self.files]) if self.files else ""
        self.facts: Dict[str, _Facts] = {}
        self.saves: List[Save] = []
        self.functions: Dict[str, List[str]] = {}  # file -> names of classes that subclass a Function
        self.memo: Dict[Any, Any] = {}  # rules cache cross-file verdicts here (per process)
        options = Options()
        for path, text in texts.items():
            try:
                tree = ast.parse(text)
            except (SyntaxError, ValueError, RecursionError):
                continue
            facts = self.facts[path] = _Facts(path, text, tree)
            if facts.function_classes:
                self.functions[path] = facts.function_classes
            ctx = Context(text, tree, options)
            for node in facts.save_calls:
                if ctx.qualname(node.func) == "torch.save":
                    cell, line = _cell_line(text, node.lineno) if path.lower().endswith(".ipynb") else (None, 0)
                    self.saves.append(
                        Save(
                            path,
                            line or node.lineno,
                            path_value(node.args[1], facts, ctx.parents),
                            payload_kind(ctx, node.args[0]),
                            ctx.source(node),
                            cell,
                        )
                    )

    # --- modules ---------------------------------------------------------------------------
    def display(self, path: str) -> str:
        """``path`` relative to the project's common folder (``main.py``, ``pkg/model.py``)."""
        real = os.path.realpath(path)
        return os.path.relpath(real, self.root).replace(os.sep, "/") if self.root else path

    def resolve_module(self, importer: str, module: str, level: int = 0) -> Optional[str]:
        """The project file of ``module`` imported from ``importer`` (``import model`` in ``main.py`` ->
        ``model.py`` beside it; ``from .model import X``; ``pkg.model`` under an enclosing folder)."""
        here = os.path.dirname(os.path.realpath(importer))
        parts = module.split(".") if module else []
        if level:
            base = here
            for _ in range(level - 1):
                base = os.path.dirname(base)
            bases = [base]
        else:
            bases = []
            base = here
            while True:
                bases.append(base)
                if not self.root or base == self.root or len(base) <= len(self.root):
                    break
                base = os.path.dirname(base)
        for base in bases:
            stem = os.path.join(base, *parts) if parts else base
            for candidate in (stem + ".py", os.path.join(stem, "__init__.py")):
                found = self._real.get(candidate)
                if found is not None:
                    return found
        return None

    def imported_from(self, path: str, local: str) -> Optional[Tuple[str, str]]:
        """``(file, name)`` of a name a file imports from a sibling module (``from model import RNNModel``)."""
        facts = self.facts.get(path)
        if facts is None or local not in facts.imports:
            return None
        module, level, name = facts.imports[local]
        if name is None:
            return None
        found = self.resolve_module(path, module, level)
        return (found, name) if found is not None else None

    def _imports_of(self, other: str, facts: _Facts, path: str, name: Optional[str]) -> Tuple[List[str], List[str]]:
        """In file ``other`` (not ``path`` itself): the local names of ``name`` imported from the module ``path``
        (``from funcs import name as local``), and the local names of ``path`` imported whole (``import funcs``)."""
        names: List[str] = []
        modules: List[str] = []
        if other != path:
            for local, (module, level, imported) in facts.imports.items():
                if (imported is None or imported == name) and self.resolve_module(other, module, level) == path:
                    (modules if imported is None else names).append(local)
        return names, modules

    def importers(self, path: str, name: str) -> List[Tuple[str, str]]:
        """Every ``(file, local name)`` that imports ``name`` from the module ``path``."""
        return [(o, local) for o, facts in self.facts.items() for local in self._imports_of(o, facts, path, name)[0]]

    def module_users(self, path: str) -> List[str]:
        """Files that ``import`` the module ``path`` as a whole (``import funcs``: ``funcs.X`` uses)."""
        return [o for o, facts in self.facts.items() for _ in self._imports_of(o, facts, path, None)[1]]

    def parsed(self, path: str) -> Optional[Tuple[_Facts, Dict[int, ast.AST]]]:
        """The facts and parent map of any file of the run (parsed once, on first use), None if unparsable."""
        key = ("parsed", path)
        if key not in self.memo:
            facts = self.facts.get(path)
            if facts is None and path in self.texts:
                try:
                    facts = _Facts(path, self.texts[path], ast.parse(self.texts[path]))
                except (SyntaxError, ValueError, RecursionError):
                    facts = None
            self.memo[key] = (facts, parent_map(facts.tree)) if facts is not None else None
        return self.memo[key]

    def callers(self, path: str, name: str) -> List[Tuple[str, ast.Call]]:
        """Every ``(file, call)`` of the module-level function ``name`` of ``path``: ``name(...)`` in ``path``
        itself, ``local(...)`` after ``from module import name as local``, ``module.name(...)`` after
        ``import module`` in the other files of the run."""
        word = re.compile(r"\b%s\b" % re.escape(name))
        out: List[Tuple[str, ast.Call]] = []
        for other, text in self.texts.items():
            if not word.search(text):
                continue
            found = self.parsed(other)
            if found is None:
                continue
            facts = found[0]
            names, modules = self._imports_of(other, facts, path, name)
            if other == path:
                names = [name]
            if not names and not modules:
                continue
            for node in ast.walk(facts.tree):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                if isinstance(func, ast.Name) and func.id in names:
                    out.append((other, node))
                elif (
                    isinstance(func, ast.Attribute)
                    and func.attr == name
                    and isinstance(func.value, ast.Name)
                    and func.value.id in modules
                ):
                    out.append((other, node))
        return out

    def writers(self, target: Optional[str]) -> List[Save]:
        return [s for s in self.saves if target is not None and s.target == target]

    def view(self, path: str) -> Optional["ProjectView"]:
        return ProjectView(self, path) if path != "-" else None


class ProjectView:
    """``ctx.project``: the project index as seen from one file."""

    def __init__(self, index: ProjectIndex, path: str) -> None:
        self.index = index
        self.path = path

    def facts(self) -> Optional[_Facts]:
        return self.index.facts.get(self.path)

    def writers_of(self, ctx: Context, node: ast.AST) -> Tuple[Optional[str], List[Save]]:
        """The checkpoint path ``node`` (a load's argument, in ``ctx``'s text) names, and every save of the
        project that writes it."""
        facts = self.facts()
        if facts is None:
            facts = _Facts(self.path, ctx.text, ctx.tree)  # type: ignore[arg-type]
        target = path_value(node, facts, ctx.parents)
        if target is None:
            return self._writers_through_calls(ctx, node)
        return target, self.index.writers(target)

    def _writers_through_calls(self, ctx: Context, node: ast.AST) -> Tuple[Optional[str], List[Save]]:
        """One level across calls: a load whose path is a parameter of its module-level function
        (``def sample(checkpoint, ...): with open(checkpoint, "rb") as f: torch.load(f)``) reads what every
        call of that function in the project passes (``generate.sample(args.save, ...)`` in ``main.py``),
        or the parameter's literal default. Writers only when every value known there is a path the project
        saves a whole object to (then weights_only=False cannot hurt a load that weights_only=True would
        break); ``(None, [])`` otherwise, the load is handled as before."""
        found = _parameter(node, ctx.parents)
        if found is None:
            return None, []
        func, param = found
        key = ("calls", self.path, func.name, param)
        if key not in self.index.memo:
            self.index.memo[key] = self._call_values(func, param)
        values = self.index.memo[key]
        saves: List[Save] = []
        for value in values:
            whole = [s for s in self.index.writers(value) if s.kind != "weights"]
            if not whole:
                return None, []
            saves.extend(s for s in whole if s not in saves)
        return (", ".join(values) if values else None), saves

    def _call_values(self, func: ast.FunctionDef, param: str) -> List[str]:
        """The known paths passed as ``param`` at the calls of ``func`` (plus its literal default)."""
        positional = [a.arg for a in func.args.posonlyargs + func.args.args]
        defaults = dict(zip(positional[len(positional) - len(func.args.defaults) :], func.args.defaults))
        defaults.update((a.arg, d) for a, d in zip(func.args.kwonlyargs, func.args.kw_defaults) if d is not None)
        index = positional.index(param) if param in positional else None
        posonly = len(func.args.posonlyargs)
        values: List[str] = []

        def add(value: Optional[str]) -> None:
            if value is not None and value not in values:
                values.append(value)

        default = defaults.get(param)
        if isinstance(default, ast.Constant) and isinstance(default.value, str) and default.value:
            add(_normal(default.value))
        for caller, call in self.index.callers(self.path, func.name):
            parsed = self.index.parsed(caller)
            if parsed is None:
                continue
            facts, parents = parsed
            arg: Optional[ast.AST] = None
            if index is not None and index < len(call.args):
                if any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
                    continue
                arg = call.args[index]
            else:
                match = [k for k in call.keywords if k.arg == param and (index is None or index >= posonly)]
                if match:
                    arg = match[0].value
                elif any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
                    continue  # ``**kwargs`` / ``*args``: the value is not stated here
            if arg is not None:
                add(path_value(arg, facts, parents))
        return values

    def display(self, path: str) -> str:
        return self.index.display(path)

    def wanted_rules(self) -> Tuple[str, ...]:
        """Rules that must run on this file whatever its words: TC104 where it imports a class that
        subclasses a Function from a sibling module (its calls are rewritten with the class)."""
        found = self.__dict__.get("_wanted")
        if found is None:
            found = ()
            facts = self.facts()
            for local in facts.imports if facts is not None else ():
                home = self.index.imported_from(self.path, local)
                if home is not None and home[0] != self.path and home[1] in self.index.functions.get(home[0], ()):
                    found = ("TC104",)
                    break
            self.__dict__["_wanted"] = found
        return found


def _cell_line(code: str, lineno: int) -> Tuple[Optional[int], int]:
    """``(cell, line in it)`` of line ``lineno`` of a notebook's code text; ``(None, 0)`` if none."""
    from torchcompat.notebook import cell_position

    found = cell_position(code, lineno)
    return (found[0], found[1]) if found is not None else (None, 0)


def _read(path: str) -> str:
    """The text a project file contributes: a ``.py`` decoded as Python decodes it; a notebook's code
    cells as ``check`` analyses them (:func:`torchcompat.notebook.code_text`: IPython syntax masked)."""
    with open(path, "rb") as handle:
        data = handle.read()
    if path.lower().endswith(".ipynb"):
        from torchcompat.notebook import NotebookError, code_text, parse

        try:
            nb = parse(data)
        except NotebookError as exc:
            raise ValueError(str(exc)) from None
        if not nb.is_python:
            raise ValueError("not a Python notebook")
        return code_text(nb)
    return decode(data).text


def build_index(files: Sequence[str], enabled: Sequence[str] = ("TC601", "TC104")) -> Optional[ProjectIndex]:
    """The index of ``files``, or None when no rule in ``enabled`` that uses it can matter: only files that
    save (when some file loads), define a ``Function`` subclass, or name such a class are read into it, each
    parsed once; an unreadable file is left to the per-file pass, which reports it."""
    texts: Dict[str, str] = {}
    for path in files:
        if path == "-":
            continue
        try:
            texts[path] = _read(path)
        except (OSError, SyntaxError, UnicodeDecodeError, LookupError, ValueError):
            continue
    wanted: Dict[str, str] = {}
    if "TC601" in enabled and any(_LOADS.search(t) for t in texts.values()):
        wanted.update((p, t) for p, t in texts.items() if "torch" in t and _SAVES.search(t))
    if "TC104" in enabled:
        classes = set()
        for p, t in texts.items():
            if _FUNCTION_CLASS.search(t) and _INSTANCE_FORWARD.search(t):
                wanted[p] = t
                classes.update(_CLASS.findall(t))
        if classes:
            wanted.update(
                (p, t) for p, t in texts.items() if p not in wanted and not classes.isdisjoint(_WORD.findall(t))
            )
    if not wanted:
        return None
    return ProjectIndex(files, wanted, texts if "TC601" in enabled else None)
