"""The layout keeps its layers: no import cycle among torchcompat's modules (module-level imports, read with
``ast``), no module reaching into a private name of a sibling package, no module over ~600 lines, and
objects pickled under the module paths of earlier releases still load."""

from __future__ import annotations

import ast
import os
import pickle
from typing import Dict, List, Set

import pytest

import torchcompat

ROOT = os.path.dirname(os.path.abspath(torchcompat.__file__))
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "pickles")
#: Known exceptions, each with its reason (none at present).
TOO_LONG_ALLOWED: Set[str] = set()
MAX_LINES = 620


def _modules() -> Dict[str, str]:
    found = {}
    for dirpath, _dirs, files in os.walk(ROOT):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, os.path.dirname(ROOT))[: -len(".py")].replace(os.sep, ".")
                found[rel[: -len(".__init__")] if rel.endswith(".__init__") else rel] = path
    return found


MODULES = _modules()


def _package(module: str) -> str:
    path = MODULES[module]
    return module if path.endswith("__init__.py") else module.rsplit(".", 1)[0]


def _top_level_imports(module: str):
    """(imported module, imported name or None) for every import run when ``module`` is imported: the
    module's top-level statements and the bodies of top-level if/try blocks, not functions or classes."""
    tree = ast.parse(open(MODULES[module], encoding="utf-8").read())
    stack: List[ast.stmt] = list(tree.body)
    while stack:
        node = stack.pop(0)
        if isinstance(node, (ast.If, ast.Try)):
            stack.extend(node.body + node.orelse + getattr(node, "finalbody", []))
            for handler in getattr(node, "handlers", []):
                stack.extend(handler.body)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = _package(module).split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            for alias in node.names:
                yield base, alias.name


def _graph() -> Dict[str, Set[str]]:
    graph: Dict[str, Set[str]] = {}
    for module in MODULES:
        edges = graph.setdefault(module, set())
        for base, name in _top_level_imports(module):
            target = base + "." + name if name and base + "." + name in MODULES else base
            if target in MODULES and target != module:
                edges.add(target)
    return graph


def _cycles(graph: Dict[str, Set[str]]) -> List[List[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    on_stack: Set[str] = set()
    stack: List[str] = []
    found: List[List[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_checker_sees_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle():
    graph = _graph()
    assert graph["torchcompat.docs"] >= {"torchcompat.report"}  # the checker reads real edges
    assert _cycles(graph) == []


def test_registry_imports_none_of_its_consumers():
    edges = _graph()["torchcompat.registry"]
    assert not [m for m in edges if m.split(".")[1] in ("shifts", "legacy", "migrate", "docs", "report")]


def _area(module: str) -> str:
    """The subpackage directly under torchcompat (``shifts``, ``legacy`` ...), or the module itself."""
    return module.split(".")[1] if module.count(".") else module


def test_no_private_name_of_a_sibling_package():
    wrong = []
    for module in MODULES:
        for base, name in _top_level_imports(module):
            if not base.startswith("torchcompat.") or _area(base) == _area(module):
                continue
            private = [p for p in base.split(".")[2:] if p.startswith("_") and not p.startswith("__")]
            if private or (name and name.startswith("_") and not name.startswith("__")):
                wrong.append("%s imports %s%s" % (module, base, "." + name if name else ""))
    assert wrong == []


def test_no_module_over_600_lines():
    long = {}
    for module, path in MODULES.items():
        with open(path, encoding="utf-8") as f:
            n = sum(1 for _ in f)
        if n > MAX_LINES and module not in TOO_LONG_ALLOWED:
            long[module] = n
    assert long == {}


def test_no_module_is_named_after_a_development_wave():
    # a name says what a module holds: no misc, no second or third wave of the same topic
    import re

    wave = re.compile(r"(^|[._])(misc|wave\d*|helpers\d)($|[._])|[a-z]_?[23]$")
    assert [m for m in MODULES if wave.search(m)] == []


def test_backported_module_classes_pickled_by_older_releases_still_load():
    # Made with torchcompat 0.1.0 before shifts/nn.py became a package: the classes are pickled by reference
    # as torchcompat.shifts.nn._tc_<Name>, and load as the classes built for this torch.
    import torch

    from torchcompat.shifts.nn import BACKPORTS

    with open(os.path.join(DATA, "shifts_nn_classes_v0.1.pkl"), "rb") as f:
        classes = pickle.load(f)
    names = ["Identity", "Flatten", "Unflatten", "SiLU", "Mish", "Hardswish", "GELU"]
    assert [c.__name__ for c in classes] == names
    for cls, name in zip(classes, names):
        assert cls is BACKPORTS["nn." + name](torch)


@pytest.mark.torch_version(">=1.2")
def test_backported_module_instances_pickled_by_older_releases_still_load():
    import torch

    with open(os.path.join(DATA, "shifts_nn_modules_v0.1.pkl"), "rb") as f:
        flatten, unflatten = pickle.load(f)
    x = torch.arange(24.0).reshape(2, 3, 4)
    assert torch.equal(flatten(x), x.reshape(2, 12))
    assert torch.equal(unflatten(torch.arange(8.0).reshape(2, 4)), torch.arange(8.0).reshape(2, 2, 2))
