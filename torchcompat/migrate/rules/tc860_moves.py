"""TC860-TC872: pure renames and moves, from one table (as six's ``moves``).

Each entry: code, shift id, old qualified name, new ``torch.`` path, the release the new name needs,
whether the rename means the same on every release, and the ``torchcompat`` adapter ``--portable``
writes (or None: the plain rename, allowed under ``--portable`` only from the floor release on).
A reference ``a.b.old`` keeps its module alias when the new name lives in the same module
(``torch.cuda.memory_cached`` -> ``torch.cuda.memory_reserved``), else it is written in full;
``from m import old`` becomes ``from m import new as old`` when ``m`` also holds the new name."""

from __future__ import annotations

import ast
from typing import NamedTuple, Optional

from torchcompat.migrate.engine import Context, rule
from torchcompat.migrate.rules._helpers import rename_imports


class Move(NamedTuple):
    code: str
    shift: str
    old: str
    new: str  # full qualified name
    min_version: str
    safe: bool
    adapter: Optional[str] = None  # tc.<adapter> under --portable


MOVES = [
    Move(
        "TC860",
        "cuda-memory-cached",
        "torch.cuda.memory_cached",
        "torch.cuda.memory_reserved",
        "1.4",
        True,
        "cuda.memory_reserved",
    ),
    Move(
        "TC861",
        "cuda-memory-cached",
        "torch.cuda.max_memory_cached",
        "torch.cuda.max_memory_reserved",
        "1.4",
        True,
        "cuda.max_memory_reserved",
    ),
    Move("TC862", "t-deterministic", "torch.set_deterministic", "torch.use_deterministic_algorithms", "1.8", True),
    Move(
        "TC863", "t-deterministic", "torch.is_deterministic", "torch.are_deterministic_algorithms_enabled", "1.8", True
    ),
    Move("TC864", "ser-model-zoo", "torch.utils.model_zoo.load_url", "torch.hub.load_state_dict_from_url", "1.1", True),
    Move(
        "TC865",
        "data-default-collate",
        "torch.utils.data._utils.collate.default_collate",
        "torch.utils.data.default_collate",
        "1.11",
        True,
        "utils.data.default_collate",
    ),
    Move(
        "TC866",
        "data-default-collate",
        "torch.utils.data.dataloader.default_collate",
        "torch.utils.data.default_collate",
        "1.11",
        True,
        "utils.data.default_collate",
    ),
    Move("TC867", "dist-reduce-op", "torch.distributed.reduce_op", "torch.distributed.ReduceOp", "1.0", True),
    Move(
        "TC868",
        "dist-allgather-chain",
        "torch.distributed._all_gather_base",
        "torch.distributed.all_gather_into_tensor",
        "1.13",
        True,
        "distributed.all_gather_into_tensor",
    ),
    Move(
        "TC869",
        "dist-allgather-chain",
        "torch.distributed._reduce_scatter_base",
        "torch.distributed.reduce_scatter_tensor",
        "1.13",
        True,
        "distributed.reduce_scatter_tensor",
    ),
    Move(
        "TC870",
        "func-stateless-call",
        "torch.nn.utils.stateless.functional_call",
        "torch.func.functional_call",
        "2.0",
        True,
        "func.functional_call",
    ),
    Move(
        "TC871",
        "func-impl-abstract",
        "torch.library.impl_abstract",
        "torch.library.register_fake",
        "2.4",
        True,
        "library.register_fake",
    ),
    Move(
        "TC872",
        "optim-lrscheduler-base",
        "torch.optim.lr_scheduler._LRScheduler",
        "torch.optim.lr_scheduler.LRScheduler",
        "2.0",
        True,
        "optim.lr_scheduler.LRScheduler",
    ),
    Move(
        "TC873",
        "func-pytree-register",
        "torch.utils._pytree._register_pytree_node",
        "torch.utils._pytree.register_pytree_node",
        "2.2",
        False,
    ),
]


def _module(qual: str) -> str:
    return qual.rsplit(".", 1)[0]


def _make(move: Move):
    old_name = move.old.rsplit(".", 1)[1]
    new_name = move.new.rsplit(".", 1)[1]
    same_module = _module(move.old) == _module(move.new)

    def visit(node: ast.AST, ctx: Context) -> None:
        if isinstance(node, ast.ImportFrom):
            if (
                same_module
                and not (ctx.portable and move.adapter)
                and node.module == _module(move.old)
                and not node.level
            ):
                for _alias, edits in rename_imports(ctx, node, {old_name: new_name}):
                    ctx.report(node, edits=edits)
            return
        if not isinstance(getattr(node, "ctx", None), ast.Load) or ctx.qualname(node) != move.old:
            return
        start, end = ctx.span(node)
        if ctx.portable and move.adapter:
            ctx.report(node, edits=[(start, end, ctx.tc(move.adapter))])
        elif isinstance(node, ast.Attribute) and same_module:
            ctx.report(node, edits=[(end - len(node.attr), end, new_name)])
        elif isinstance(node, ast.Name) and same_module:
            return  # `from m import old`: the import is rewritten to `new as old`
        else:
            ctx.report(node, edits=[(start, end, ctx.torch(move.new[len("torch.") :]))])

    visit.__name__ = "move_" + old_name
    return visit


for _move in MOVES:
    rule(
        _move.code,
        shift=_move.shift,
        name="move-" + _move.old.rsplit(".", 1)[1].strip("_").replace("_", "-"),
        message="%s is deprecated: use %s" % (_move.old, _move.new),
        docs="%s -> %s (needs torch %s)" % (_move.old, _move.new, _move.min_version),
        min_version=_move.min_version,
        safe=_move.safe,
        portable="adapter" if _move.adapter else "plain",
        nodes=(ast.Attribute, ast.Name, ast.ImportFrom),
        hints=(_move.old.rsplit(".", 1)[1],),  # the old name: in the code or in the import line of an alias
    )(_make(_move))
