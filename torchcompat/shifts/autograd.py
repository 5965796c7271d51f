"""Autograd shifts: Variable, volatile, no_grad, .data[0], legacy Function, zero_grad ...

Records generated from the shift catalogue; adapters, probes and notes are added beside them."""

from __future__ import annotations

from torchcompat.registry import declare

shift = declare("autograd")

AG_VARIABLE_WRAPPER = shift(
    "ag-variable-wrapper",
    "from torch.autograd import Variable -> plain tensors",
    old="`from torch.autograd import Variable`; `Variable(t, requires_grad=True)`",
    new="plain tensors; `torch.tensor(d, requires_grad=True)`, `t.requires_grad_()`",
    added="0.4",
    deprecated="0.4",
    strategy="alias",
    notes="added: 0.4.0; deprecated: 0.4.0 (docs only); removed: still present as of 2.x (`Variable(...)` just returns a Tensor). Silent change: none for plain wrapping. How common: ns (H: nearly all pre-2018 code)",
)

AG_TYPE_IS_NOT_DTYPE = shift(
    "ag-type-is-not-dtype",
    "type(x) == torch.cuda.FloatTensor -> x.dtype, x.device, x.type(), x.detach()",
    old="`type(x) == torch.cuda.FloatTensor`; Variable-vs-Tensor `isinstance`; `x.data` to unwrap",
    new="`x.dtype`, `x.device`, `x.type()`, `x.detach()`",
    added="0.4",
    deprecated="0.4",
    removed="0.4",
    strategy="codemod",
    notes="added: 0.4.0; deprecated: 0.4.0; removed: semantics changed 0.4.0. Silent change: YES: `type(x)` is always `torch.Tensor`, so type-dispatch branches silently take the wrong path; `.data` bypasses autograd version checks. How common: ns (M)",
)

AG_VOLATILE = shift(
    "ag-volatile",
    "Variable(x, volatile=True) -> with torch.no_grad(): (torch.inference_mode() ≥1.9)",
    old="`Variable(x, volatile=True)`",
    new="`with torch.no_grad():` (`torch.inference_mode()` ≥1.9)",
    added="0.4",
    deprecated="0.4",
    removed="0.4",
    strategy="codemod",
    verified=False,
    notes='added: 0.4.0; deprecated: 0.4.0 (UserWarning "volatile was removed and now has no effect"); removed: no-op since 0.4.0; the kwarg is still accepted with the warning (?). Silent change: YES: graph is recorded during eval → memory blow-up / OOM, slower inference. How common: VH (12/12)',
)

AG_DATA_INDEX_0 = shift(
    "ag-data-index-0",
    "loss.data[0], acc[0] on 0-dim results -> loss.item()",
    old="`loss.data[0]`, `acc[0]` on 0-dim results",
    new="`loss.item()`",
    added="0.4",
    deprecated="0.4",
    removed="1.0",
    strategy="codemod",
    notes='added: 0.4.0; deprecated: 0.4.0 (warning "will be an error in PyTorch 0.5"); removed: 1.0 (IndexError: invalid index of a 0-dim tensor). How common: VH (12/12)',
)

AG_LOSS_ACCUMULATE_GRAPH = shift(
    "ag-loss-accumulate-graph",
    "total_loss += loss (0-dim tensor) -> total_loss += loss.item()",
    old="`total_loss += loss` (0-dim tensor)",
    new="`total_loss += loss.item()`",
    added="0.4",
    strategy="warn-only",
    notes="added: 0.4.0; deprecated: —; removed: —. Silent change: YES: since 0.4.0 reductions return 0-dim tensors that keep autograd history → steadily growing memory. How common: ns (M; flagged in the 0.4 migration guide)",
)

AG_NUMPY_REQUIRES_GRAD = shift(
    "ag-numpy-requires-grad",
    "x.numpy() / np.sum(list_of_tensors) / x.cpu().numpy() on ten -> x.detach().cpu().numpy()",
    old="`x.numpy()` / `np.sum(list_of_tensors)` / `x.cpu().numpy()` on tensors that require grad",
    new="`x.detach().cpu().numpy()`; `x.numpy(force=True)`",
    added="0.4",
    removed="0.4",
    strategy="codemod",
    verified=False,
    notes='added: 0.4.0 (`detach`); `force=` 1.13 ?; deprecated: —; removed: error since the 0.4.0 merge ("Can\'t call numpy() on Tensor that requires grad"). How common: H (10/12)',
)

AG_LEGACY_FUNCTION = shift(
    "ag-legacy-function",
    "class F(Function): def forward(self, x) + F()(x) -> @staticmethod def forward(ctx, x) + F.apply(x)",
    old="`class F(Function): def forward(self, x)` + `F()(x)`",
    new="`@staticmethod def forward(ctx, x)` + `F.apply(x)`",
    added="0.2",
    deprecated="1.2",
    removed="1.5",
    strategy="codemod",
    verified=False,
    notes='added: 0.2 ? (ctx-style Functions); deprecated: 1.2/1.3 (warning "will be removed in 1.3"); removed: 1.5 (RuntimeError "Legacy autograd function with non-static forward method is deprecated"). How common: VH (12/12)',
)

AG_INPLACE_VERSION_CHECK = shift(
    "ag-inplace-version-check",
    "GAN loops: opt_D.step() before backward passes that still us -> do every backward() before step(), or recompute the forward ",
    old="GAN loops: `opt_D.step()` before backward passes that still use D's graph",
    new="do every `backward()` before `step()`, or recompute the forward pass",
    removed="1.5",
    strategy="warn-only",
    notes='added: —; deprecated: —; removed: error since 1.5 (optimizer in-place updates are now version-checked: "modified by an inplace operation"). Silent change: — (loud). How common: H (9/11)',
)

AG_ZERO_GRAD_NONE = shift(
    "ag-zero-grad-none",
    "opt.zero_grad() then p.grad += ..., p.grad.data..., if p.gra -> zero_grad(set_to_none=False) wherever grads are read",
    old="`opt.zero_grad()` then `p.grad += ...`, `p.grad.data...`, `if p.grad is None` logic",
    new="`zero_grad(set_to_none=False)` wherever grads are read",
    added="1.7",
    removed="2.0",
    strategy="codemod",
    notes="added: 1.7 (`set_to_none`); deprecated: —; removed: 2.0: default flipped to True (Optimizer and nn.Module). Silent change: YES: `.grad` is None instead of zeros → TypeError, or silently different branches. How common: M (6/11)",
)

AG_INFERENCE_MODE = shift(
    "ag-inference-mode",
    "new code using torch.inference_mode() on old torch -> fall back to torch.no_grad()",
    old="new code using `torch.inference_mode()` on old torch",
    new="fall back to `torch.no_grad()`",
    added="1.9",
    strategy="backport",
    notes="added: 1.9; deprecated: —; removed: —. How common: ns",
)

AG_CHECKPOINT_REENTRANT = shift(
    "ag-checkpoint-reentrant",
    "torch.utils.checkpoint.checkpoint(fn, *x) -> checkpoint(fn, *x, use_reentrant=False) (=True keeps the leg",
    old="`torch.utils.checkpoint.checkpoint(fn, *x)`",
    new="`checkpoint(fn, *x, use_reentrant=False)` (`=True` keeps the legacy path)",
    added="1.11",
    deprecated="2.1",
    removed="2.4",
    link="https://github.com/pytorch/pytorch/pull/100551",
    strategy="codemod",
    verified=False,
    notes="added: 1.11 ? (`use_reentrant`); deprecated: 2.1 (warning, PR #100551); removed: the announced error kept slipping 2.4 → 2.5 → 2.6 → 2.9; still a warning in the 2.12 docs ? (a pre-2.3 nightly raised; reverted by PR #116710). Silent change: YES when switching variants: kwargs, inputs without requires_grad, `autograd.grad` support differ. How common: M (5/11; TorchFix TOR003)",
)

AG_RETAIN_VARIABLES = shift(
    "ag-retain-variables",
    "loss.backward(retain_variables=True) -> loss.backward(retain_graph=True)",
    old="`loss.backward(retain_variables=True)`",
    new="`loss.backward(retain_graph=True)`",
    added="0.2",
    deprecated="0.3",
    removed="0.4",
    strategy="legacy-restore",
    verified=False,
    notes="added: 0.2/0.3 (`retain_graph`); deprecated: 0.3 ?; removed: 0.4 ? (TypeError: unexpected keyword `retain_variables`). How common: M (2 of 35 real scripts)",
)

AG_ZERO_DIM_ITERATION = shift(
    "ag-zero-dim-iteration",
    "iterating a 1-D LongTensor yields Python ints (0.3) used as  -> elements are 0-dim tensors since 0.4",
    old="iterating a 1-D LongTensor yields Python ints (0.3) used as `CrossEntropyLoss` targets or in `torch.cat`",
    new="elements are 0-dim tensors since 0.4",
    added="0.4",
    removed="0.4",
    strategy="codemod",
    notes='added: 0.4.0; deprecated: —; removed: 0.4.0. Silent change: errors such as "Expected input batch_size (1) to match target batch_size (0)" or "zero-dimensional tensor cannot be concatenated". How common: M (2 of 35 real scripts)',
)

AG_OPTIMIZER_INPLACE_GAN = shift(
    "ag-optimizer-inplace-gan",
    "GAN loops that call opt_D.step() and then backprop a generat -> recompute D's forward pass after the step, or order backward",
    old="GAN loops that call `opt_D.step()` and then backprop a generator loss through the same D graph",
    new="recompute D's forward pass after the step, or order backward/step",
    removed="1.5",
    strategy="warn-only,",
    notes='added: —; deprecated: —; removed: 1.5 (version counter check: "modified by an inplace operation"). Silent change: — (loud). How common: M (2 of 35 real scripts)',
)
