"""torch.distributed shifts: collectives renamed, launchers, reduce ops.

Records generated from the shift catalogue; adapters, probes and notes are added beside them."""

from __future__ import annotations

from typing import Any, Callable, Optional

from torchcompat.probe import MISSING
from torchcompat.registry import Resolution, backport, declare, native, unavailable

shift = declare("distributed")

DIST_LAUNCH_LOCAL_RANK = shift(
    "dist-launch-local-rank",
    "torch.distributed.launch + --local_rank → torchrun + LOCAL_RANK",
    old="`python -m torch.distributed.launch` + `argparse --local_rank`",
    new="`torchrun` + `os.environ['LOCAL_RANK']`; accept both `--local-rank` and `--local_rank`",
    added="1.10",
    deprecated="1.10",
    removed="2.0",
    strategy="codemod",
    verified=False,
    notes='added: 1.10 (`torchrun`); deprecated: 1.10 ? (FutureWarning "torch.distributed.launch is deprecated"); removed: 2.0: launcher passes `--local-rank` (hyphen) → "unrecognized arguments". How common: M (9)',
    kind="spelling",
)

DIST_ALLGATHER_CHAIN = shift(
    "dist-allgather-chain",
    "dist._all_gather_base(out, inp) → dist.all_gather_into_tensor",
    old="`dist._all_gather_base(out, inp)`, `dist._reduce_scatter_base`",
    new="`dist.all_gather_into_tensor` / `reduce_scatter_tensor` (1.13) → `dist.all_gather_single` / `reduce_scatter_single` (2.13)",
    added="1.13",
    deprecated="2.0",
    link="https://github.com/pytorch/pytorch/pull/85686",
    strategy="alias",
    probe="distributed.all_gather_into_tensor",
    verified=False,
    notes="added: 1.13; 2.13; deprecated: `_base`: warning ~2.0 (FutureWarning by 2.4) ?; `all_gather_into_tensor`/`reduce_scatter_tensor`: 2.13 (FutureWarning). How common: M (DeepSpeed, Megatron, accelerate, Lightning users)",
    kind="spelling",
)
# the adapters are hand-written below (they also know the 2.13 *_single names and the 1.9 / 1.10 _base ones)
DIST_ALLGATHER_CHAIN.moved(
    "torch.distributed._all_gather_base",
    "torch.distributed.all_gather_into_tensor",
    code="TC868",
    adapter="distributed.all_gather_into_tensor",
    alias=False,
)
DIST_ALLGATHER_CHAIN.moved(
    "torch.distributed._reduce_scatter_base",
    "torch.distributed.reduce_scatter_tensor",
    code="TC869",
    adapter="distributed.reduce_scatter_tensor",
    alias=False,
)

DIST_REDUCE_OP = shift(
    "dist-reduce-op",
    "dist.reduce_op.SUM → dist.ReduceOp.SUM",
    old="`dist.reduce_op.SUM`",
    new="`dist.ReduceOp.SUM`",
    added="1.0",
    deprecated="1.0",
    strategy="alias",
    verified=False,
    probe="distributed.ReduceOp",
    notes="How common: ns (L)",
    kind="spelling",
)
DIST_REDUCE_OP.moved("torch.distributed.reduce_op", "torch.distributed.ReduceOp", code="TC867", added="1.0")

DIST_THD_BACKEND = shift(
    "dist-thd-backend",
    "init_process_group(backend='tcp') → 'gloo'",
    old="`init_process_group(backend='tcp')`, `torch.distributed.deprecated`",
    new="`'gloo'` / `'nccl'`",
    added="1.0",
    deprecated="1.0",
    removed="1.0",
    strategy="codemod",
    verified=False,
    notes="added: 1.0 (c10d); removed: 1.0/1.1 ?. How common: ns (L)",
    kind="spelling",
)


# -- adapters: tc.distributed.all_gather_into_tensor / reduce_scatter_tensor (and the 2.13 *_single names) ------
# Native names by age: _all_gather_base (1.9) / _reduce_scatter_base (1.10), all_gather_into_tensor /
# reduce_scatter_tensor (1.13, https://github.com/pytorch/pytorch/pull/85686), all_gather_single /
# reduce_scatter_single (2.13, https://github.com/pytorch/pytorch/pull/186124; the 1.13 names then raise
# FutureWarning). Gloo runs the single-tensor collectives only from 2.2
# (https://github.com/pytorch/pytorch/pull/112144); before that, and before the names exist, the adapters go
# through the list collectives.


class _CompletedWork:
    """What ``async_op=True`` returns from the list-collective fallback: it has already completed."""

    def wait(self, timeout: Any = None) -> bool:
        return True

    def is_completed(self) -> bool:
        return True

    def is_success(self) -> bool:
        return True


def _group_kw(group: Any) -> dict:
    return {} if group is None else {"group": group}


def make_all_gather_fallback(torch: Any) -> Callable[..., Any]:
    """The list-collective ``all_gather_into_tensor`` bound to ``torch`` (exposed for the tests)."""
    dist = torch.distributed

    def all_gather_into_tensor(output_tensor: Any, input_tensor: Any, group: Any = None, async_op: bool = False):
        """``dist.all_gather_into_tensor`` through ``dist.all_gather`` for torch < 1.13 (and gloo < 2.2):
        ``output_tensor`` is the inputs of all ranks concatenated along dim 0, or stacked on a new dim 0.
        Synchronous: ``async_op=True`` returns an already completed work. Names: PR #85686; gloo support:
        https://github.com/pytorch/pytorch/pull/112144. Remove when torch >= 2.2."""
        world = dist.get_world_size(**_group_kw(group))
        shape = tuple(input_tensor.shape)
        stacked = tuple(output_tensor.shape) == (world,) + shape
        if not stacked and (not shape or tuple(output_tensor.shape) != (world * shape[0],) + shape[1:]):
            raise ValueError(
                "all_gather_into_tensor: output of shape %s does not hold %d inputs of shape %s"
                % (tuple(output_tensor.shape), world, shape)
            )
        chunks = [torch.empty_like(input_tensor) for _ in range(world)]
        dist.all_gather(chunks, input_tensor.contiguous(), **_group_kw(group))
        gathered = torch.stack(chunks) if stacked else torch.cat(chunks)
        with torch.no_grad():
            output_tensor.copy_(gathered)
        return _CompletedWork() if async_op else None

    return all_gather_into_tensor


def make_reduce_scatter_fallback(torch: Any) -> Callable[..., Any]:
    """The list-collective ``reduce_scatter_tensor`` bound to ``torch`` (exposed for the tests)."""
    dist = torch.distributed

    def reduce_scatter_tensor(output: Any, input: Any, op: Any = None, group: Any = None, async_op: bool = False):
        """``dist.reduce_scatter_tensor`` for torch < 1.13 (and gloo < 2.2): ``dist.reduce_scatter`` on NCCL,
        else ``all_reduce`` of a copy and this rank's slice (gloo has no reduce_scatter: twice the traffic).
        ``input`` is the ranks' blocks concatenated along dim 0 (or stacked). Synchronous: ``async_op=True``
        returns an already completed work. Names: PR #85686; gloo support:
        https://github.com/pytorch/pytorch/pull/112144. Remove when torch >= 2.2."""
        kw = _group_kw(group)
        op = dist.ReduceOp.SUM if op is None else op
        world, rank = dist.get_world_size(**kw), dist.get_rank(**kw)
        if input.numel() != world * output.numel():
            raise ValueError(
                "reduce_scatter_tensor: input of shape %s is not %d blocks of the output shape %s"
                % (tuple(input.shape), world, tuple(output.shape))
            )
        blocks = input.reshape(world, -1)
        if hasattr(dist, "reduce_scatter") and str(dist.get_backend(**kw)) == "nccl":
            result = torch.empty_like(blocks[0])
            dist.reduce_scatter(result, [b.contiguous() for b in blocks], op=op, **kw)
        else:
            buffer = blocks.clone()
            dist.all_reduce(buffer, op=op, **kw)
            result = buffer[rank]
        with torch.no_grad():
            output.copy_(result.view_as(output))
        return _CompletedWork() if async_op else None

    return reduce_scatter_tensor


def _dispatching(env: Any, native_fn: Any, fallback: Callable[..., Any], name: str) -> Callable[..., Any]:
    """torch < 2.2: the single-tensor collective on NCCL, the list-collective fallback on other backends."""
    dist = env.torch.distributed

    def pick(group: Any) -> Callable[..., Any]:
        return native_fn if str(dist.get_backend(**_group_kw(group))) == "nccl" else fallback

    if name == "all_gather_into_tensor":

        def collective(output_tensor: Any, input_tensor: Any, group: Any = None, async_op: bool = False) -> Any:
            kw = _group_kw(group)
            return pick(group)(output_tensor, input_tensor, async_op=async_op, **kw)

    else:

        def collective(output: Any, input: Any, op: Any = None, group: Any = None, async_op: bool = False) -> Any:
            kw = _group_kw(group)
            op = dist.ReduceOp.SUM if op is None else op
            return pick(group)(output, input, op=op, async_op=async_op, **kw)

    collective.__name__ = name
    collective.__doc__ = (
        "``dist.%s`` for torch < 2.2: torch's single-tensor collective on NCCL, the list collectives on other "
        "backends (gloo gained them in 2.2: https://github.com/pytorch/pytorch/pull/112144). Remove when "
        "torch >= 2.2." % name
    )
    return collective


def _gloo_reduce_scatter_guard(env: Any, native_fn: Any, fallback: Callable[..., Any]) -> Optional[Callable[..., Any]]:
    """torch 2.2-2.8: gloo's ``reduce_scatter_tensor`` (an all-reduce fallback inside torch) overwrites its
    *input* with the reduced sum, and on 2.2 raises with ``async_op=True`` (measured on this project's matrix:
    a second call then reduces already-reduced data). On gloo those calls go through the list collectives,
    which leave the input alone; on NCCL and other backends the call is torch's own. None from 2.9."""
    if env.at_least("2.9"):  # a bug of the gloo backend: no cheap probe without a process group
        return None
    dist = env.torch.distributed
    SUM = dist.ReduceOp.SUM

    def reduce_scatter_tensor(output: Any, input: Any, op: Any = SUM, group: Any = None, async_op: bool = False) -> Any:
        """``dist.reduce_scatter_tensor``, through the list-collective fallback on gloo, whose own version
        clobbers the input on torch 2.2-2.8. Remove when torch >= 2.9."""
        if str(dist.get_backend(**_group_kw(group))) == "gloo":
            return fallback(output, input, op, group, async_op)
        return native_fn(output, input, op=op, group=group, async_op=async_op)

    return reduce_scatter_tensor


def _resolve(
    env: Any,
    names: Any,
    fallback_of: Callable[[Any], Callable[..., Any]],
    name: str,
    guard: Optional[Callable[[Any, Any, Callable[..., Any]], Optional[Callable[..., Any]]]] = None,
) -> Resolution:
    """The adapter for one collective: torch's modern name, its 2.2+ name (through ``guard(env, fn, fallback)``
    where that returns a wrapper for a release's bug), the ``_base`` name on NCCL, else the fallback."""
    if not env.has("distributed.all_gather") or not env.has("distributed.all_reduce"):
        return unavailable("1.0", "torch.distributed is not available in this build")
    modern, current, base = names
    fn = env.get("distributed." + modern)
    if fn is not MISSING:
        return native(fn, "torch.distributed.%s (2.13+)" % modern)
    fn = env.get("distributed." + current)
    fallback = env._cached(("torchcompat", name), lambda: fallback_of(env.torch))
    if fn is not MISSING and env.at_least("2.2"):
        guarded = guard(env, fn, fallback) if guard is not None else None
        if guarded is not None:
            return backport(guarded, "torch's, gloo's bugs routed around")
        return native(fn)
    if fn is MISSING:
        fn = env.get("distributed." + base)
    if fn is MISSING:
        return backport(fallback, "through the list collectives")
    return backport(_dispatching(env, fn, fallback, name), "torch's on NCCL, list collectives elsewhere")


def _all_gather(env: Any) -> Resolution:
    return env._cached(
        ("torchcompat", "all_gather_resolution"),
        lambda: _resolve(
            env,
            ("all_gather_single", "all_gather_into_tensor", "_all_gather_base"),
            make_all_gather_fallback,
            "all_gather_into_tensor",
        ),
    )


def _reduce_scatter(env: Any) -> Resolution:
    return env._cached(
        ("torchcompat", "reduce_scatter_resolution"),
        lambda: _resolve(
            env,
            ("reduce_scatter_single", "reduce_scatter_tensor", "_reduce_scatter_base"),
            make_reduce_scatter_fallback,
            "reduce_scatter_tensor",
            _gloo_reduce_scatter_guard,
        ),
    )


DIST_ALLGATHER_CHAIN.adapter("distributed.all_gather_into_tensor")(_all_gather)
DIST_ALLGATHER_CHAIN.adapter("distributed.all_gather_single")(_all_gather)
DIST_ALLGATHER_CHAIN.adapter("distributed.reduce_scatter_tensor")(_reduce_scatter)
DIST_ALLGATHER_CHAIN.adapter("distributed.reduce_scatter_single")(_reduce_scatter)

DIST_REDUCE_OP.alias("distributed.ReduceOp", fallback=lambda env: env.get("distributed.reduce_op"), needs="1.0")
