"""TC891: legacy C++/CFFI extensions seen from Python.

``torch.utils.ffi`` (CFFI extensions) was removed in torch 1.0: such a build fails with an ImportError
and needs a port to ``torch.utils.cpp_extension``. For C++ sources given inline to
``cpp_extension.load_inline`` the old ATen spellings are reported too: ``x.type()`` in
``AT_DISPATCH_*`` (-> ``x.scalar_type()``), ``x.data<T>()`` (-> ``x.data_ptr<T>()``), ``x.type().is_cuda()``
(-> ``x.is_cuda()``). No fixes: C++ is not rewritten."""

from __future__ import annotations

import ast
import re

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import single_assignment
from torchcompat.shifts.tensor import MISC_CPP_EXT_LEGACY

_CPP_OLD = [
    (re.compile(r"AT_DISPATCH_\w+\s*\(\s*[\w.\->]+\.type\(\)"), "x.type() in AT_DISPATCH_* -> x.scalar_type()"),
    (re.compile(r"\.type\(\)\s*\.\s*is_cuda\(\)"), "x.type().is_cuda() -> x.is_cuda()"),
    (re.compile(r"\.data\s*<\s*[\w:]+\s*>\s*\(\)"), "x.data<T>() -> x.data_ptr<T>()"),
]


@rule(
    "TC891",
    record=MISC_CPP_EXT_LEGACY,
    name="cpp-extension-legacy",
    message="torch.utils.ffi was removed in torch {removed}: port the extension to torch.utils.cpp_extension",
    docs="from torch.utils.ffi import create_extension -> report; load_inline C++ with x.data<T>() -> report",
    safe=False,
    fixable=False,
    nodes=(ast.Import, ast.ImportFrom, ast.Call),
    hints=("ffi", "load_inline"),
)
def cpp_extension_legacy(node: ast.AST, ctx: Context) -> None:
    if isinstance(node, ast.Import):
        if any(a.name == "torch.utils.ffi" or a.name.startswith("torch.utils.ffi.") for a in node.names):
            ctx.report(node)
        return
    if isinstance(node, ast.ImportFrom):
        if node.level == 0 and (
            node.module == "torch.utils.ffi"
            or (node.module == "torch.utils" and any(a.name == "ffi" for a in node.names))
        ):
            ctx.report(node)
        return
    assert isinstance(node, ast.Call)
    if ctx.qualname(node.func) != "torch.utils.cpp_extension.load_inline":
        return
    sources = [k.value for k in node.keywords if k.arg in ("cpp_sources", "cuda_sources")] + node.args[1:3]
    for src in sources:
        for part in src.elts if isinstance(src, (ast.List, ast.Tuple)) else [src]:
            if isinstance(part, ast.Name):  # SRC = """...""" bound once in the file
                part = single_assignment(ctx, part) or part
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                for pattern, fix in _CPP_OLD:
                    if pattern.search(part.value):
                        ctx.report(part, message="legacy ATen API in inline C++: %s" % fix, warning=True)
