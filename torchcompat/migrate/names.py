"""Name resolution through imports and aliases: ``F.softmax`` -> ``torch.nn.functional.softmax``.

Every import of the module (at any depth, as pyupgrade and TorchFix do) binds a local name to a
qualified name. A name that is also bound by anything else in the file (an assignment, a parameter, a
``def`` ...) is ambiguous and resolves to nothing, so a local ``F = 3`` never looks like torch.
"""

from __future__ import annotations

import ast
from typing import Dict, Optional, Set

#: Submodule paths under which torch re-exports a public name: canonicalised before rules match.
_CANONICAL_PREFIXES = (
    ("torch.autograd.variable.", "torch.autograd."),
    ("torch.autograd.function.", "torch.autograd."),
    ("torch.utils.data.dataset.", "torch.utils.data."),
    ("torch.nn.utils.clip_grad.", "torch.nn.utils."),
)


def canonical(qualname: str) -> str:
    """``torch.nn.modules.loss.NLLLoss`` -> ``torch.nn.NLLLoss`` and the like."""
    if qualname.startswith("torch.nn.modules."):
        parts = qualname.split(".")
        if len(parts) == 5:
            return "torch.nn." + parts[4]
    for prefix, replacement in _CANONICAL_PREFIXES:
        if qualname.startswith(prefix) and "." not in qualname[len(prefix) :]:
            return replacement + qualname[len(prefix) :]
    return qualname


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_TARGET_FIELDS = {
    ast.Assign: ("targets",),
    ast.AugAssign: ("target",),
    ast.AnnAssign: ("target",),
    ast.For: ("target",),
    ast.AsyncFor: ("target",),
    ast.Delete: ("targets",),
}


def _target_names(node: ast.AST, out: Set[str]) -> None:
    stack = [node]
    while stack:
        sub = stack.pop()
        if isinstance(sub, ast.Name):
            out.add(sub.id)
        elif isinstance(sub, (ast.Tuple, ast.List)):
            stack.extend(sub.elts)
        elif isinstance(sub, ast.Starred):
            stack.append(sub.value)


def _scope_statements(body: list, out: Set[str], imports: Optional[list], nested: Optional[list]) -> None:
    """Walk the statements of one scope (not expressions, not nested scopes): names bound by
    anything but an import go to ``out``; import statements to ``imports``; nested functions and
    classes to ``nested``."""
    stack = list(body)
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is ast.Import or kind is ast.ImportFrom:
            if imports is not None:
                imports.append(node)
            continue
        fields = _TARGET_FIELDS.get(kind)
        if fields is not None:
            for field in fields:
                value = getattr(node, field)
                for target in value if isinstance(value, list) else [value]:
                    _target_names(target, out)
        if kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
            out.add(node.name)  # type: ignore[attr-defined]
            if nested is not None:
                nested.append(node)
            continue
        if kind in (ast.With, ast.AsyncWith):
            for item in node.items:  # type: ignore[attr-defined]
                if item.optional_vars is not None:
                    _target_names(item.optional_vars, out)
        elif kind is ast.ExceptHandler and node.name:  # type: ignore[attr-defined]
            out.add(node.name)  # type: ignore[attr-defined]
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            children = getattr(node, field, None)
            if children:
                stack.extend(children)


def _arg_names(args: ast.arguments) -> Set[str]:
    found = {a.arg for a in list(getattr(args, "posonlyargs", [])) + args.args + args.kwonlyargs}
    if args.vararg:
        found.add(args.vararg.arg)
    if args.kwarg:
        found.add(args.kwarg.arg)
    return found


class Imports:
    """Local name -> qualified name, from the import statements of one module (at any depth)."""

    def __init__(self, tree: ast.AST) -> None:
        bound: Dict[str, str] = {}
        other: Set[str] = set()
        self.import_nodes: list = []
        self.plain_imports: Set[str] = set()  # `import a.b.c`: the dotted name is usable as written
        nested: list = []
        _scope_statements(getattr(tree, "body", []), other, self.import_nodes, nested)
        #: names bound (not by an import) in some function: only those need a scope check
        self.rebound_locally: Set[str] = set()
        while nested:
            scope = nested.pop()
            inner: Set[str] = set()
            _scope_statements(scope.body, inner, self.import_nodes, nested)
            if not isinstance(scope, ast.ClassDef):
                inner |= _arg_names(scope.args)
            self.rebound_locally |= inner
        for node in self.import_nodes:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        _bind(bound, other, alias.asname, alias.name)
                    else:
                        top = alias.name.split(".", 1)[0]
                        _bind(bound, other, top, top)
                        self.plain_imports.add(alias.name)
            elif not node.level and node.module:
                for alias in node.names:
                    if alias.name != "*":
                        _bind(bound, other, alias.asname or alias.name, node.module + "." + alias.name)
        self.names: Dict[str, str] = {k: v for k, v in bound.items() if k not in other and v}
        self._locals: Dict[int, Set[str]] = {}

    def local_names(self, scope: ast.AST) -> Set[str]:
        """Names a function binds locally (parameters, assignments, nested defs; not imports)."""
        found = self._locals.get(id(scope))
        if found is None:
            found = _arg_names(scope.args)  # type: ignore[attr-defined]
            body = scope.body  # type: ignore[attr-defined]
            if isinstance(body, list):
                _scope_statements(body, found, None, None)
            self._locals[id(scope)] = found
        return found

    def qualname(self, node: ast.AST) -> Optional[str]:
        """The canonical qualified name of a ``Name``/``Attribute`` chain, or None."""
        if isinstance(node, ast.Name):
            found = self.names.get(node.id)
            return canonical(found) if found else None
        if isinstance(node, ast.Attribute):
            parts = [node.attr]
            value = node.value
            while isinstance(value, ast.Attribute):
                parts.append(value.attr)
                value = value.value
            if not isinstance(value, ast.Name):
                return None
            base = self.names.get(value.id)
            if not base:
                return None
            parts.append(base)
            return canonical(".".join(reversed(parts)))
        return None

    def local_for(self, qualname: str) -> Optional[str]:
        """A local name bound exactly to module ``qualname`` (``torch`` -> ``"torch"``), or None."""
        for local, target in self.names.items():
            if target == qualname:
                return local
        if qualname in self.plain_imports and self.names.get(qualname.split(".", 1)[0]):
            return qualname
        return None

    def binds(self, name: str) -> bool:
        return name in self.names


def _bind(bound: Dict[str, str], other: Set[str], local: str, target: str) -> None:
    previous = bound.get(local)
    if previous is not None and previous != target:
        bound[local] = ""  # imported twice with different meanings: ambiguous
    else:
        bound[local] = target
