"""functorch / torch.func / torch.compile shifts.

Records generated from the shift catalogue; adapters, probes and notes are added beside them."""

from __future__ import annotations

from torchcompat.registry import declare

shift = declare("func")

FUNC_FUNCTORCH = shift(
    "func-functorch",
    "from functorch import vmap, grad, jacrev, jvp, vjp, hessian, -> torch.func.* (functional_call replaces make_functional)",
    old="`from functorch import vmap, grad, jacrev, jvp, vjp, hessian, functionalize, make_functional`",
    new="`torch.func.*` (`functional_call` replaces `make_functional`)",
    added="2.0",
    deprecated="2.0",
    strategy="alias",
    verified=False,
    notes='added: 2.0; deprecated: 2.0 (UserWarning; "will be deleted in a future version of PyTorch >= 2.3"); removed: still importable ?. How common: M (5)',
)

FUNC_TORCH_VMAP_PROTOTYPE = shift(
    "func-torch-vmap-prototype",
    "torch.vmap (1.7–1.12 prototype in torch._vmap_internals) -> torch.func.vmap (torch.vmap aliased in 2.0)",
    old="`torch.vmap` (1.7–1.12 prototype in `torch._vmap_internals`)",
    new="`torch.func.vmap` (`torch.vmap` aliased in 2.0)",
    added="2.0",
    deprecated="1.8",
    removed="1.13",
    link="https://github.com/pytorch/pytorch/pull/86333",
    strategy="alias",
    notes='added: 2.0; deprecated: 1.8–1.12 (warning "use functorch.vmap"); removed: dropped from the 1.13 release (PR #86333), re-added as an alias in 2.0. Silent change: the prototype\'s semantics differ (randomness, out_dims). How common: ns (L)',
)

FUNC_STATELESS_CALL = shift(
    "func-stateless-call",
    "torch.nn.utils.stateless.functional_call -> torch.func.functional_call",
    old="`torch.nn.utils.stateless.functional_call`",
    new="`torch.func.functional_call`",
    added="2.0",
    deprecated="2.0",
    strategy="alias",
    verified=False,
    notes="added: 2.0; deprecated: 2.0; removed: ?. How common: ns (L)",
)

FUNC_PYTREE_REGISTER = shift(
    "func-pytree-register",
    "torch.utils._pytree._register_pytree_node -> torch.utils._pytree.register_pytree_node",
    old="`torch.utils._pytree._register_pytree_node`",
    new="`torch.utils._pytree.register_pytree_node`",
    added="2.2",
    deprecated="2.2",
    link="https://github.com/pytorch/pytorch/pull/112111",
    strategy="alias",
    verified=False,
    notes="added: 2.2; deprecated: 2.2 (PR #112111); removed: ?. How common: ns (L; TorchFix autofix)",
)

FUNC_IMPL_ABSTRACT = shift(
    "func-impl-abstract",
    "torch.library.impl_abstract -> torch.library.register_fake",
    old="`torch.library.impl_abstract`",
    new="`torch.library.register_fake`",
    added="2.4",
    deprecated="2.4",
    strategy="alias",
    verified=False,
    notes="added: 2.4; deprecated: 2.4 (FutureWarning); removed: ?. How common: ns (L)",
)

COMPILE_BACKPORT = shift(
    "compile-backport",
    "code calling torch.compile(model) on <2.0 -> identity fallback",
    old="code calling `torch.compile(model)` on <2.0",
    new="identity fallback",
    added="2.0",
    strategy="backport",
    notes="added: 2.0; deprecated: —; removed: —. How common: ns",
)
