"""TC364: ``pack_padded_sequence(x, lengths.cuda())`` (lengths provably on CUDA): an error since 1.7. Fix:
``lengths.cpu()``."""

from __future__ import annotations

import ast

from torchcompat.migrate.context import Context
from torchcompat.migrate.rule import rule
from torchcompat.migrate.rules._queries import call_rule, keyword, single_assignment
from torchcompat.shifts.nn import NN_PACKED_SEQ_CPU_LENGTHS


def _cuda_call(ctx: Context, node: ast.AST) -> bool:
    if isinstance(node, ast.Name):
        node = single_assignment(ctx, node)
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "cuda"
        and ctx.qualname(node.func) is None
    )


@rule(
    "TC364",
    record=NN_PACKED_SEQ_CPU_LENGTHS,
    emits=(),
    name="packed-seq-cpu-lengths",
    message="pack_padded_sequence needs lengths on the CPU since torch {removed}",
    docs="pack_padded_sequence(x, lengths.cuda()) -> pack_padded_sequence(x, lengths.cpu())",
    safe=True,
    nodes=(ast.Call,),
    hints=("pack_padded_sequence",),
)
@call_rule(["torch.nn.utils.rnn.pack_padded_sequence"])
def packed_lengths(call: ast.Call, ctx: Context, qual: str) -> None:
    lengths = call.args[1] if len(call.args) > 1 else getattr(keyword(call, "lengths"), "value", None)
    if lengths is None or not _cuda_call(ctx, lengths):
        return
    if isinstance(lengths, ast.Call) and not lengths.args and not lengths.keywords:
        end = ctx.end(lengths.func)
        ctx.report(lengths, edits=[(end - len("cuda"), end, "cpu")])  # x.cuda() -> x.cpu()
        return
    end = ctx.end(lengths)
    ctx.report(lengths, edits=[(end, end, ".cpu()")])
