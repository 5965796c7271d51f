"""functorch / torch.func / torch.compile shifts.

Records generated from the shift catalogue; adapters, probes and notes are added beside them."""

from __future__ import annotations

import inspect
import re
import warnings
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from torchcompat.probe import MISSING
from torchcompat.registry import Resolution, backport, declare, native, unavailable

shift = declare("func")

FUNC_FUNCTORCH = shift(
    "func-functorch",
    "from functorch import vmap, grad, ... → from torch.func import ...",
    old="`from functorch import vmap, grad, jacrev, jvp, vjp, hessian, functionalize, make_functional`",
    new="`torch.func.*` (`functional_call` replaces `make_functional`)",
    added="2.0",
    deprecated="2.0",
    strategy="alias",
    verified=False,
    notes='deprecated: 2.0 (UserWarning; "will be deleted in a future version of PyTorch >= 2.3"); removed: still importable ?. How common: M (5)',
    kind="spelling",
)

FUNC_TORCH_VMAP_PROTOTYPE = shift(
    "func-torch-vmap-prototype",
    "torch.vmap → torch.func.vmap",
    old="`torch.vmap` (1.7–1.12 prototype in `torch._vmap_internals`)",
    new="`torch.func.vmap` (`torch.vmap` aliased in 2.0)",
    added="2.0",
    deprecated="1.8",
    removed="1.13",
    link="https://github.com/pytorch/pytorch/pull/86333",
    strategy="alias",
    notes='deprecated: 1.8–1.12 (warning "use functorch.vmap"); removed: dropped from the 1.13 release (PR #86333), re-added as an alias in 2.0. Silent change: the prototype\'s semantics differ (randomness, out_dims). How common: ns (L)',
    kind="spelling",
)

FUNC_STATELESS_CALL = shift(
    "func-stateless-call",
    "torch.nn.utils.stateless.functional_call → torch.func.functional_call",
    old="`torch.nn.utils.stateless.functional_call`",
    new="`torch.func.functional_call`",
    added="2.0",
    deprecated="2.0",
    strategy="alias",
    verified=False,
    notes="How common: ns (L)",
    kind="spelling",
)
FUNC_STATELESS_CALL.moved(
    "torch.nn.utils.stateless.functional_call",
    "torch.func.functional_call",
    code="TC870",
    adapter="func.functional_call",
    alias=False,  # hand-written below: a backport where neither exists
)

FUNC_PYTREE_REGISTER = shift(
    "func-pytree-register",
    "torch.utils._pytree._register_pytree_node → torch.utils._pytree.register_pytree_node",
    old="`torch.utils._pytree._register_pytree_node`",
    new="`torch.utils._pytree.register_pytree_node`",
    added="2.2",
    deprecated="2.2",
    link="https://github.com/pytorch/pytorch/pull/112111",
    strategy="alias",
    verified=False,
    notes="deprecated: 2.2 (PR #112111). How common: ns (L; TorchFix autofix)",
    kind="spelling",
)
FUNC_PYTREE_REGISTER.moved(
    "torch.utils._pytree._register_pytree_node",
    "torch.utils._pytree.register_pytree_node",
    code="TC873",
    added="2.2",
    safe=False,
)

FUNC_IMPL_ABSTRACT = shift(
    "func-impl-abstract",
    "torch.library.impl_abstract → torch.library.register_fake",
    old="`torch.library.impl_abstract`",
    new="`torch.library.register_fake`",
    added="2.4",
    deprecated="2.4",
    strategy="alias",
    verified=False,
    probe="library.register_fake",
    notes="deprecated: 2.4 (FutureWarning). How common: ns (L)",
    kind="spelling",
)
FUNC_IMPL_ABSTRACT.moved(
    "torch.library.impl_abstract",
    "torch.library.register_fake",
    code="TC871",
    adapter="library.register_fake",
    alias=False,
)

COMPILE_BACKPORT = shift(
    "compile-backport",
    "torch.compile(model) on torch < 2.0 → identity",
    old="code calling `torch.compile(model)` on <2.0",
    new="identity fallback",
    added="2.0",
    strategy="backport",
    notes="How common: ns",
    kind="spelling",
)


AG_CHECKPOINT_REENTRANT = shift(
    "ag-checkpoint-reentrant",
    "torch.utils.checkpoint.checkpoint(fn, *x) → checkpoint(fn, *x, use_reentrant=False)",
    old="`torch.utils.checkpoint.checkpoint(fn, *x)`",
    new="`checkpoint(fn, *x, use_reentrant=False)` (`=True` keeps the legacy path)",
    added="1.11",
    deprecated="2.1",
    removed="2.4",
    link="https://github.com/pytorch/pytorch/pull/100551",
    strategy="codemod",
    verified=False,
    notes="added: 1.11 ? (`use_reentrant`); deprecated: 2.1 (warning, PR #100551); removed: the announced error kept slipping 2.4 → 2.5 → 2.6 → 2.9; still a warning in the 2.12 docs ? (a pre-2.3 nightly raised; reverted by PR #116710). Silent change: YES when switching variants: kwargs, inputs without requires_grad, `autograd.grad` support differ. How common: M (5/11; TorchFix TOR003)",
    kind="meaning",
)


# -- checkpoint ----------------------------------------------------------------------------------------

_CHECKPOINT_OPTIONS = ("preserve_rng_state", "context_fn", "determinism_check", "debug", "early_stop")


#: torch 2.4's reentrant checkpoint calls the deprecated torch.cpu.amp.autocast itself, in forward and backward.
_INTERNAL_AMP_WARNING = r"`torch\.(cpu|cuda)\.amp\.autocast\(args\.\.\.\)` is deprecated"


def _internal_amp_warning_filter(env: Any) -> Optional[Callable[[], None]]:
    """Where torch.utils.checkpoint warns about its *own* use of ``torch.cpu.amp.autocast`` (a FutureWarning
    the user cannot act on; torch 2.4, fixed in 2.5), a function that puts an ignore filter for exactly that
    warning from that module first in ``warnings.filters``; None elsewhere. Probed with a tiny checkpoint.
    A filter, not a ``catch_warnings`` block, because the warning also fires in backward, outside any wrapper;
    re-asserted on every call, because a caller's ``catch_warnings`` drops it on exit."""

    def check(torch: Any) -> bool:
        with torch.enable_grad(), warnings.catch_warnings(record=True) as seen:  # a first call may be in no_grad
            warnings.simplefilter("always")
            x = torch.ones(2, requires_grad=True)
            torch.utils.checkpoint.checkpoint(lambda t: t * 2, x, use_reentrant=True).sum().backward()
        return any(issubclass(w.category, FutureWarning) and "amp.autocast" in str(w.message) for w in seen)

    if not env.behaves("checkpoint warns about its own autocast", check):
        return None
    entry = (
        "ignore",
        re.compile(_INTERNAL_AMP_WARNING, re.I),
        FutureWarning,
        re.compile(r"torch\.utils\.checkpoint"),
        0,
    )

    def ensure() -> None:
        if not warnings.filters or warnings.filters[0] != entry:
            warnings.filterwarnings(
                "ignore", message=_INTERNAL_AMP_WARNING, category=FutureWarning, module=r"torch\.utils\.checkpoint"
            )

    return ensure


def _make_checkpoint(env: Any) -> Callable[..., Any]:
    native_checkpoint = env.get("utils.checkpoint.checkpoint")
    takes_use_reentrant = env.accepts("utils.checkpoint.checkpoint", "use_reentrant")
    # torch 1.0: checkpoint(function, *args); 1.1+: **kwargs holding preserve_rng_state.
    takes_preserve = any(p.kind == p.VAR_KEYWORD for p in _parameters(native_checkpoint))
    warned = []

    if takes_use_reentrant:
        # probed at the first call, not at resolution: the probe's checkpoint imports torch._dynamo (~2.5 s on
        # 2.x), which the first real call pays anyway
        quiet: List[Optional[Callable[[], None]]] = []

        def checkpoint(function: Callable[..., Any], *args: Any, use_reentrant: Optional[bool] = None, **kwargs: Any):
            """``torch.utils.checkpoint.checkpoint`` without the warning torch >= 2.1 gives when
            ``use_reentrant`` is omitted (https://github.com/pytorch/pytorch/pull/100551): omitted means
            True, the default of every release. Remove when torch requires ``use_reentrant``."""
            if not quiet:
                quiet.append(_internal_amp_warning_filter(env))
            if quiet[0] is not None:
                quiet[0]()
            return native_checkpoint(
                function, *args, use_reentrant=True if use_reentrant is None else use_reentrant, **kwargs
            )

        return checkpoint

    def checkpoint(function: Callable[..., Any], *args: Any, use_reentrant: Optional[bool] = None, **kwargs: Any):
        """``torch.utils.checkpoint.checkpoint(fn, *args, use_reentrant=...)`` for torch < 1.11, which has only
        the reentrant variant. ``use_reentrant=False`` (keyword arguments passed to ``fn``, inputs without
        ``requires_grad``, ``torch.autograd.grad``) runs ``fn`` without checkpointing: the same outputs and
        gradients, without the memory saving (one warning). https://github.com/pytorch/pytorch/pull/100551.
        Remove when torch >= 1.11."""
        if use_reentrant is False:
            for option in _CHECKPOINT_OPTIONS:
                kwargs.pop(option, None)
            if not warned:
                warned.append(True)
                warnings.warn(
                    "tc.checkpoint: use_reentrant=False needs torch >= 1.11; torch %s runs the function without "
                    "checkpointing (same results, no memory saving)" % env.version,
                    stacklevel=2,
                )
            return function(*args, **kwargs)
        if not takes_preserve:
            kwargs.pop("preserve_rng_state", None)  # torch 1.0 always preserves the RNG state
        return native_checkpoint(function, *args, **kwargs)

    return checkpoint


def _parameters(fn: Any) -> List[inspect.Parameter]:
    try:
        return list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return []


@AG_CHECKPOINT_REENTRANT.adapter("checkpoint")
def _checkpoint(env: Any) -> Resolution:
    if env.get("utils.checkpoint.checkpoint") is MISSING:
        return unavailable("0.4", "torch.utils.checkpoint is missing")
    if env.accepts("utils.checkpoint.checkpoint", "use_reentrant"):
        note = "passes use_reentrant=True when omitted (no warning)"
    else:
        note = "reentrant checkpoint; use_reentrant=False runs without checkpointing"
    return backport(_make_checkpoint(env), note)


# -- functional_call -----------------------------------------------------------------------------------


def _named_tensors(module: Any, prefix: str = "") -> List[Tuple[str, Any, str, str]]:
    """Every parameter and buffer under every path (shared modules and tied tensors appear once per name):
    ``(name, owner module, attribute, kind)``."""
    found = []
    for kind in ("_parameters", "_buffers"):
        for attr, value in getattr(module, kind).items():
            if value is not None:
                found.append((prefix + attr, module, attr, kind))
    for child_name, child in module._modules.items():
        if child is not None:
            found.extend(_named_tensors(child, prefix + child_name + "."))
    return found


def _owner(module: Any, name: str) -> Tuple[Any, str]:
    parts = name.split(".")
    for part in parts[:-1]:
        module = getattr(module, part)
    return module, parts[-1]


def make_functional_call(torch: Any) -> Callable[..., Any]:
    """The ``functional_call`` backport bound to ``torch`` (exposed so tests can compare it with torch's own)."""

    def functional_call(
        module: Any,
        parameter_and_buffer_dicts: Union[Dict[str, Any], Sequence[Dict[str, Any]]],
        args: Any = None,
        kwargs: Optional[Dict[str, Any]] = None,
        *,
        tie_weights: bool = True,
        strict: bool = False,
    ) -> Any:
        """``torch.func.functional_call`` for torch < 2.0: calls ``module`` with some of its parameters and
        buffers replaced by the given tensors, swapped in for the call and restored after it (also on error).
        torch.func: https://github.com/pytorch/pytorch/pull/91026 (1.12-1.13 had a narrower
        ``torch.nn.utils.stateless.functional_call`` without tuple-of-dicts, ``tie_weights``, ``strict``).
        Remove when torch >= 2.0."""
        if isinstance(parameter_and_buffer_dicts, dict):
            values = dict(parameter_and_buffer_dicts)
        else:
            values = {}
            seen = set()
            repeated = []
            for d in parameter_and_buffer_dicts:
                for key in d:
                    if key in seen and key not in repeated:
                        repeated.append(key)
                    seen.add(key)
                values.update(d)
            if repeated:
                raise ValueError(
                    "%s appeared in multiple dictionaries; behavior of functional call is ambiguous" % repeated
                )
        named = _named_tensors(module)
        if strict:
            known = {entry[0] for entry in named}
            unexpected = sorted(set(values) - known)
            missing = sorted(known - set(values))
            if unexpected or missing:
                lines = ["Error(s) in reparametrizing for %s:" % type(module).__name__]
                if unexpected:
                    lines.append("\tUnexpected key(s): %s." % ", ".join(repr(k) for k in unexpected))
                if missing:
                    lines.append("\tMissing key(s): %s." % ", ".join(repr(k) for k in missing))
                raise RuntimeError("\n".join(lines))
        if tie_weights:
            groups: Dict[int, List[str]] = {}
            for name, owner, attr, kind in named:
                groups.setdefault(id(getattr(owner, kind)[attr]), []).append(name)
            for names in groups.values():
                given = [n for n in names if n in values]
                if len(names) < 2 or not given:
                    continue
                if any(values[n] is not values[given[0]] for n in given[1:]):
                    raise ValueError(
                        "functional_call got multiple values for keys %s, which are tied. "
                        "Consider using tie_weights=False" % sorted(given)
                    )
                for n in names:
                    values.setdefault(n, values[given[0]])
        kinds = {name: kind for name, _, _, kind in named}
        saved = []  # (owner, attr, kind or None, old value or MISSING), to restore in reverse order
        done = set()
        try:
            for name, value in values.items():
                owner, attr = _owner(module, name)
                key = (id(owner), attr)
                if key in done:
                    continue
                done.add(key)
                kind = kinds.get(name)
                if kind is None:
                    for candidate in ("_parameters", "_buffers"):
                        if attr in getattr(owner, candidate):
                            kind = candidate
                if kind is not None:
                    table = getattr(owner, kind)
                    saved.append((owner, attr, kind, table[attr]))
                    table[attr] = value
                else:
                    saved.append((owner, attr, None, owner.__dict__.get(attr, MISSING)))
                    object.__setattr__(owner, attr, value)
            if args is None:
                args = ()
            elif not isinstance(args, tuple):
                args = (args,)
            return module(*args, **(kwargs or {}))
        finally:
            for owner, attr, kind, old in reversed(saved):
                if kind is not None:
                    getattr(owner, kind)[attr] = old
                elif old is MISSING:
                    owner.__dict__.pop(attr, None)
                else:
                    object.__setattr__(owner, attr, old)

    return functional_call


@FUNC_STATELESS_CALL.native_or("func.functional_call")
def _functional_call(env: Any) -> Resolution:
    return backport(make_functional_call(env.torch), "parameters and buffers swapped in for the call")


# -- vmap -------------------------------------------------------------------------------------------------


def _flatten(tree: Any) -> Tuple[List[Any], Any]:
    """Leaves and structure of a pytree of tuples, lists and dicts (namedtuples kept)."""
    if isinstance(tree, (tuple, list)):
        leaves: List[Any] = []
        specs = []
        for child in tree:
            child_leaves, child_spec = _flatten(child)
            leaves.extend(child_leaves)
            specs.append((len(child_leaves), child_spec))
        return leaves, (type(tree), None, specs)
    if isinstance(tree, dict):
        leaves = []
        specs = []
        for key in tree:
            child_leaves, child_spec = _flatten(tree[key])
            leaves.extend(child_leaves)
            specs.append((len(child_leaves), child_spec))
        return leaves, (type(tree), list(tree), specs)
    return [tree], None


def _unflatten(leaves: List[Any], spec: Any) -> Any:
    if spec is None:
        return leaves[0]
    kind, keys, specs = spec
    children = []
    at = 0
    for count, child_spec in specs:
        children.append(_unflatten(leaves[at : at + count], child_spec))
        at += count
    if keys is not None:
        return kind(zip(keys, children))
    if kind is tuple or kind is list:
        return kind(children)
    if hasattr(kind, "_fields"):  # a namedtuple
        return kind(*children)
    return kind(children)


def _broadcast_dims(dims: Any, tree: Any, what: str) -> List[Any]:
    """One dim per leaf of ``tree``: ``dims`` is an int / None for the whole subtree, or a matching pytree."""
    if dims is None or isinstance(dims, int):
        return [dims] * len(_flatten(tree)[0])
    if isinstance(dims, (tuple, list)) and isinstance(tree, (tuple, list)) and len(dims) == len(tree):
        return [d for sub_dims, sub in zip(dims, tree) for d in _broadcast_dims(sub_dims, sub, what)]
    if isinstance(dims, dict) and isinstance(tree, dict) and set(dims) == set(tree):
        return [d for key in tree for d in _broadcast_dims(dims[key], tree[key], what)]
    raise ValueError("vmap: %s=%r does not match the structure of %r" % (what, dims, type(tree).__name__))


def make_vmap(torch: Any) -> Callable[..., Any]:
    """The loop ``vmap`` bound to ``torch`` (exposed so tests can compare it with torch.func.vmap)."""
    tensor_type = torch.Tensor

    def vmap(
        func: Callable[..., Any],
        in_dims: Any = 0,
        out_dims: Any = 0,
        randomness: str = "error",
        *,
        chunk_size: Optional[int] = None,
    ) -> Callable[..., Any]:
        """``torch.func.vmap`` for torch < 2.0 without functorch: calls ``func`` once per slice along
        ``in_dims`` and stacks the results along ``out_dims`` (pytrees of tuples, lists and dicts; keyword
        arguments are not mapped). Same results as torch.func.vmap, slower; random functions draw different
        values per sample whatever ``randomness`` says. torch.func: https://github.com/pytorch/pytorch/pull/91026.
        Remove when torch >= 2.0."""

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if isinstance(in_dims, (tuple, list)):
                if len(in_dims) != len(args):
                    raise ValueError(
                        "vmap: in_dims has %d entries but the function got %d positional arguments"
                        % (len(in_dims), len(args))
                    )
                dims = _broadcast_dims(tuple(in_dims), args, "in_dims")
            elif in_dims is None or isinstance(in_dims, int):
                dims = _broadcast_dims(in_dims, args, "in_dims")
            else:
                raise ValueError("vmap: in_dims must be an int, None or a tuple, got %r" % (in_dims,))
            leaves, spec = _flatten(tuple(args))
            size = None
            normal: List[Any] = []
            for leaf, dim in zip(leaves, dims):
                if dim is None:
                    normal.append(None)
                    continue
                if not isinstance(leaf, tensor_type):
                    raise ValueError("vmap: in_dim=%r given for an input that is not a Tensor" % (dim,))
                if leaf.dim() == 0 or not -leaf.dim() <= dim < leaf.dim():
                    raise ValueError("vmap: in_dim=%r out of range for a Tensor of %d dims" % (dim, leaf.dim()))
                dim = dim % leaf.dim()
                normal.append(dim)
                if size is None:
                    size = leaf.shape[dim]
                elif leaf.shape[dim] != size:
                    raise ValueError("vmap: mapped inputs have different sizes: %d and %d" % (size, leaf.shape[dim]))
            if size is None:
                raise ValueError("vmap: at least one input must be a Tensor mapped over (in_dims not all None)")
            if size == 0:
                raise ValueError("vmap: cannot map over a dimension of size 0")
            results = []
            out_spec = structure = None
            for i in range(size):
                sliced = [leaf if d is None else leaf.select(d, i) for leaf, d in zip(leaves, normal)]
                out = func(*_unflatten(sliced, spec), **kwargs)
                out_leaves, this_spec = _flatten(out)
                if i == 0:
                    out_spec = this_spec
                    structure = out
                for leaf in out_leaves:
                    if not isinstance(leaf, tensor_type):
                        raise ValueError("vmap: the function must return Tensors, got %s" % type(leaf).__name__)
                results.append(out_leaves)
            odims = _broadcast_dims(out_dims, structure, "out_dims")
            stacked = []
            for j, od in enumerate(odims):
                column = [r[j] for r in results]
                stacked.append(column[0] if od is None else torch.stack(column, od))
            return _unflatten(stacked, out_spec)

        wrapped.__name__ = getattr(func, "__name__", "vmapped")
        wrapped.__doc__ = getattr(func, "__doc__", None)
        return wrapped

    return vmap


def _vmap(env: Any) -> Resolution:
    fn = env.get("func.vmap")
    if fn is not MISSING:
        return native(fn)
    if not env.emulated:
        try:  # functorch 0.1 - 0.2 (torch 1.11 - 1.13), a separate package
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import functorch
            return native(functorch.vmap, "functorch.vmap")
        except Exception:
            pass
    return backport(env._cached(("torchcompat", "vmap"), lambda: make_vmap(env.torch)), "a loop over the samples")


FUNC_TORCH_VMAP_PROTOTYPE.adapter("vmap")(_vmap)
FUNC_FUNCTORCH.adapter("func.vmap")(_vmap)


# -- compile ------------------------------------------------------------------------------------------------


@COMPILE_BACKPORT.native_or("compile")
def _compile(env: Any) -> Resolution:
    warned = []

    def compile(
        model: Optional[Callable[..., Any]] = None,
        *,
        fullgraph: bool = False,
        dynamic: Optional[bool] = None,
        backend: Any = "inductor",
        mode: Optional[str] = None,
        options: Optional[Dict[str, Any]] = None,
        disable: bool = False,
    ) -> Any:
        """``torch.compile`` for torch < 2.0: returns ``model`` unchanged (one warning, none with
        ``disable=True``); as a decorator with keywords too. torch.compile arrived in 2.0
        (https://pytorch.org/get-started/pytorch-2.0/). Remove when torch >= 2.0."""
        if model is None:

            def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
                return compile(
                    fn,
                    fullgraph=fullgraph,
                    dynamic=dynamic,
                    backend=backend,
                    mode=mode,
                    options=options,
                    disable=disable,
                )

            return decorate
        if not disable and not warned:
            warned.append(True)
            warnings.warn(
                "tc.compile: torch.compile needs torch >= 2.0; torch %s runs the model uncompiled" % env.version,
                stacklevel=2,
            )
        return model

    return backport(compile, "identity")


# -- torch.library.register_fake (2.4) <- impl_abstract (2.1 - 2.3), same signature ---------------------------


@FUNC_IMPL_ABSTRACT.native_or("library.register_fake")
def _register_fake(env: Any) -> Resolution:
    fn = env.get("library.impl_abstract")
    if fn is not MISSING:
        return native(fn, "torch.library.impl_abstract, the 2.1 - 2.3 name")
    return unavailable("2.1", "torch.library has no fake (meta) kernel registration")
