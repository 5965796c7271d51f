"""TC601: ``torch.load(f)`` without ``weights_only=``.

torch 2.6 flipped the default to ``weights_only=True``: a file holding a whole pickled object (a model,
an argparse Namespace) fails with "Weights only load failed". The fix makes the choice explicit:

* a load of a path that the same module writes with ``torch.save(obj, path)`` where ``obj`` is not a
  state dict (a whole object) -> ``weights_only=False``, with a comment saying why (the file is the
  script's own, so unpickling it is as trusted as running the script);
* every other load -> ``weights_only=True`` (tensors, state dicts, plain containers: the safe loader).

In project mode (``migrate`` of a folder: ``ctx.project``) the path is also resolved across files: a
literal, a module constant, an argparse ``default=`` or ``with open(P) as f``; a load of what *another* file
of the project saves as a whole object keeps loading (``weights_only=False`` with a comment naming that
file: ``generate.py`` loading ``main.py``'s ``torch.save(model, f)``), a load of what it saves as weights
gets ``weights_only=True``; a path no file is seen writing is handled as before.

``weights_only`` exists from torch 1.13; ``--portable`` writes ``tc.load(...)``, which takes it on every
release."""

from __future__ import annotations

import ast
from typing import List, Optional

from torchcompat.migrate.context import Context
from torchcompat.migrate.project import Save
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import keyword
from torchcompat.shifts.serialization import SER_WEIGHTS_ONLY

COMMENT = "# whole object saved by this script: weights_only=False (trusted)"


def _weights_only_payload(ctx: Context, node: ast.AST) -> bool:
    """Whether a saved object is loadable with weights_only=True (state dicts, tensors, plain containers)."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("state_dict", "clone", "detach", "cpu")
    ):
        return True
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Dict):
        return all(
            k is not None and _weights_only_payload(ctx, k) and _weights_only_payload(ctx, v)
            for k, v in zip(node.keys, node.values)
        )
    if isinstance(node, (ast.List, ast.Tuple)):
        return all(_weights_only_payload(ctx, e) for e in node.elts)
    if (
        isinstance(node, ast.Call)
        and (ctx.qualname(node.func) or "").startswith("torch.")
        and ctx.qualname(node.func) not in ("torch.jit.script", "torch.jit.trace")
    ):
        return True  # torch.randn(...), torch.tensor(...)
    return False


def _saved_whole(ctx: Context, load: ast.Call, path: ast.AST) -> Optional[bool]:
    """True: the module saves a whole object to the same path; False: it saves weights there; None: no save."""
    text = ctx.source(path)
    result: Optional[bool] = None
    for node in _save_calls(ctx):
        if len(node.args) >= 2:
            if ctx.source(node.args[1]) == text:
                if not _weights_only_payload(ctx, node.args[0]):
                    return True
                result = False
    return result


def _save_calls(ctx: Context) -> List[ast.Call]:
    """Every ``torch.save(...)`` call of the file (one walk per file, cached on the context)."""
    found = ctx.__dict__.get("_tc601_saves")
    if found is None:
        tree = ctx.tree
        assert tree is not None
        found = ctx.__dict__["_tc601_saves"] = [
            node for node in ast.walk(tree) if isinstance(node, ast.Call) and ctx.qualname(node.func) == "torch.save"
        ]
    return found


@rule(
    "TC601",
    record=SER_WEIGHTS_ONLY,
    name="load-weights-only",
    message="torch.load without weights_only=: the default became True in torch {removed} (whole pickled objects fail)",
    docs="torch.load(path) -> torch.load(path, weights_only=True); a file the same script saves as a whole object "
    "-> weights_only=False with a comment; in project mode also a file another module saves as a whole object "
    "(the comment names it) (--portable: tc.load(..., weights_only=...))",
    safe=False,
    portable="adapter",
    nodes=(ast.Call,),
    hints=("load",),
)
def load_weights_only(call: ast.Call, ctx: Context) -> None:
    if ctx.qualname(call.func) != "torch.load" or keyword(call, "weights_only") is not None:
        return
    if any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
        ctx.report(call)
        return
    if len(call.args) >= 3 or keyword(call, "pickle_module") is not None:
        ctx.report(
            call,
            message="torch.load with a pickle_module: pass weights_only=False explicitly if the file is "
            "trusted (the default became True in torch 2.6)",
        )
        return
    path = call.args[0] if call.args else (keyword(call, "f").value if keyword(call, "f") is not None else None)
    whole = _saved_whole(ctx, call, path) if path is not None else None
    comment = COMMENT
    message = "torch.load of a whole object this script saves: weights_only=False keeps it loading on torch >= 2.6"
    writer = _project_writer(ctx, path) if path is not None and whole is None else None
    if writer is not None:
        whole = writer.kind != "weights"
        if whole:
            what = "a whole model" if writer.kind == "model" else "a pickled object"
            name = ctx.project.display(writer.file)
            comment = "# torchcompat: %s saves %s here (%s); weights_only=True would fail" % (
                name,
                what,
                " ".join(writer.call.split()),
            )
            message = "torch.load of %s that %s saves (%s): weights_only=False keeps it loading on torch >= 2.6" % (
                what,
                name,
                writer.place(),
            )
    edits = []
    if ctx.portable:
        start, end = ctx.span(call.func)
        edits.append((start, end, ctx.tc("load")))
    if whole:
        edits.append(ctx.append_arguments(call, "weights_only=False"))
        stmt = _statement(ctx, call)
        if isinstance(stmt, (ast.Assign, ast.Expr, ast.Return, ast.AugAssign, ast.AnnAssign)):
            pos = ctx.end(stmt)
            line_end = ctx.lines.starts[stmt.end_lineno] if stmt.end_lineno < len(ctx.lines.starts) else len(ctx.text)
            if not ctx.text[pos:line_end].strip():
                edits.append((pos, pos, "  " + comment))
    else:
        edits.append(ctx.append_arguments(call, "weights_only=True"))
        message = None
    finding = ctx.report(call, message=message, edits=edits)
    if whole is not None:  # a save of this file or of the project writes it: the decision needs no source era
        finding.evidence = "project"


def _project_writer(ctx: Context, path: ast.AST) -> Optional[Save]:
    """The save of the project that writes the file ``path`` names: a whole-object one first (one of those
    is enough to make ``weights_only=True`` fail), else a weights one; None without a project or a writer."""
    if ctx.project is None:
        return None
    _, saves = ctx.project.writers_of(ctx, path)
    if not saves:
        return None
    return next((s for s in saves if s.kind != "weights"), saves[0])


def _statement(ctx: Context, node: ast.AST) -> Optional[ast.stmt]:
    for anc in ctx.ancestors(node):
        if isinstance(anc, ast.stmt):
            return anc
    return None
