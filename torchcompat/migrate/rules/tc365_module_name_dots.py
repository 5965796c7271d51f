"""TC365: ``add_module``/``register_buffer``/``register_parameter`` with a literal name containing a dot: refused since
0.4 (KeyError). Reported (rename the submodule)."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import keyword
from torchcompat.shifts.nn import NN_MODULE_NAME_DOTS

_REGISTER = {"add_module": 0, "register_buffer": 0, "register_parameter": 0, "register_module": 0}


@rule(
    "TC365",
    record=NN_MODULE_NAME_DOTS,
    emits=(),
    name="module-name-dots",
    message="submodule, buffer and parameter names may not contain '.' since torch {removed} (KeyError): rename it",
    docs="self.add_module('a.b', m) -> reported (use a name without dots)",
    safe=False,
    fixable=False,
    nodes=(ast.Call,),
    hints=("add_module", "register_buffer", "register_parameter", "register_module"),
)
def module_name_dots(call: ast.Call, ctx: Context) -> None:
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in _REGISTER or ctx.qualname(func) is not None:
        return
    name = call.args[0] if call.args else getattr(keyword(call, "name"), "value", None)
    if isinstance(name, ast.Constant) and isinstance(name.value, str) and "." in name.value:
        ctx.report(call)
