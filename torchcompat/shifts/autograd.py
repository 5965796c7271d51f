"""Autograd shifts: Variable, volatile, no_grad, .data[0], legacy Function, zero_grad ...

Records generated from the shift catalogue; adapters, probes and notes are added beside them."""

from __future__ import annotations

from torchcompat.registry import declare

shift = declare("autograd")

AG_VARIABLE_WRAPPER = shift(
    "ag-variable-wrapper",
    "from torch.autograd import Variable → torch.tensor(d, requires_grad=True)",
    old="`from torch.autograd import Variable`; `Variable(t, requires_grad=True)`",
    new="plain tensors; `torch.tensor(d, requires_grad=True)`, `t.requires_grad_()`",
    added="0.4",
    deprecated="0.4",
    strategy="alias",
    notes="deprecated: 0.4.0 (docs only); removed: still present as of 2.x (`Variable(...)` just returns a Tensor). Silent change: none for plain wrapping. How common: ns (H: nearly all pre-2018 code)",
    kind="spelling",
)

AG_TYPE_IS_NOT_DTYPE = shift(
    "ag-type-is-not-dtype",
    "type(x) == torch.cuda.FloatTensor → x.dtype / x.device / x.is_cuda",
    old="`type(x) == torch.cuda.FloatTensor`; Variable-vs-Tensor `isinstance`; `x.data` to unwrap",
    new="`x.dtype`, `x.device`, `x.type()`, `x.detach()`",
    added="0.4",
    deprecated="0.4",
    removed="0.4",
    strategy="codemod",
    notes="removed: semantics changed 0.4.0. Silent change: YES: `type(x)` is always `torch.Tensor`, so type-dispatch branches silently take the wrong path; `.data` bypasses autograd version checks. How common: ns (M)",
    kind="meaning",
)

AG_VOLATILE = shift(
    "ag-volatile",
    "Variable(x, volatile=True) → with torch.no_grad():",
    old="`Variable(x, volatile=True)`",
    new="`with torch.no_grad():` (`torch.inference_mode()` ≥1.9)",
    added="0.4",
    deprecated="0.4",
    removed="0.4",
    strategy="codemod",
    verified=False,
    notes='deprecated: 0.4.0 (UserWarning "volatile was removed and now has no effect"); removed: no-op since 0.4.0; the kwarg is still accepted with the warning (?). Silent change: YES: graph is recorded during eval → memory blow-up / OOM, slower inference. How common: VH (12/12)',
    kind="spelling",
)

AG_DATA_INDEX_0 = shift(
    "ag-data-index-0",
    "loss.data[0] → loss.item()",
    old="`loss.data[0]`, `acc[0]` on 0-dim results",
    new="`loss.item()`",
    added="0.4",
    deprecated="0.4",
    removed="1.0",
    strategy="codemod",
    notes='deprecated: 0.4.0 (warning "will be an error in PyTorch 0.5"); removed: 1.0 (IndexError: invalid index of a 0-dim tensor). How common: VH (12/12)',
    kind="meaning",
)

AG_LOSS_ACCUMULATE_GRAPH = shift(
    "ag-loss-accumulate-graph",
    "total_loss += loss keeps the graph alive → total_loss += loss.item()",
    old="`total_loss += loss` (0-dim tensor)",
    new="`total_loss += loss.item()`",
    added="0.4",
    strategy="warn-only",
    notes="Silent change: YES: since 0.4.0 reductions return 0-dim tensors that keep autograd history → steadily growing memory. How common: ns (M; flagged in the 0.4 migration guide)",
    kind="meaning",
)

AG_NUMPY_REQUIRES_GRAD = shift(
    "ag-numpy-requires-grad",
    "x.numpy() → x.detach().cpu().numpy()",
    old="`x.numpy()` / `np.sum(list_of_tensors)` / `x.cpu().numpy()` on tensors that require grad",
    new="`x.detach().cpu().numpy()`; `x.numpy(force=True)`",
    added="0.4",
    removed="0.4",
    strategy="codemod",
    verified=False,
    notes='added: 0.4.0 (`detach`); `force=` 1.13 ?; removed: error since the 0.4.0 merge ("Can\'t call numpy() on Tensor that requires grad"). How common: H (10/12)',
    kind="meaning",
)

AG_LEGACY_FUNCTION = shift(
    "ag-legacy-function",
    "class F(Function): def forward(self, x) → @staticmethod def forward(ctx, x)",
    old="`class F(Function): def forward(self, x)` + `F()(x)`",
    new="`@staticmethod def forward(ctx, x)` + `F.apply(x)`",
    added="0.2",
    deprecated="1.2",
    removed="1.5",
    strategy="codemod",
    notes='added: 0.2 ? (ctx-style Functions); deprecated: 1.2 (warning "will be removed in 1.3"; the release matrix: warns on 1.2-1.4); removed: 1.5 (RuntimeError "Legacy autograd function with non-static forward method is deprecated"; the matrix: raises from 1.5 to 2.15). How common: VH (12/12)',
    kind="spelling",
)

AG_INPLACE_VERSION_CHECK = shift(
    "ag-inplace-version-check",
    "optimizer.step() before a backward that still needs the old weights → step after every backward",
    old="GAN loops: `opt_D.step()` before backward passes that still use D's graph",
    new="do every `backward()` before `step()`, or recompute the forward pass",
    removed="1.5",
    strategy="warn-only",
    notes='removed: error since 1.5 (optimizer in-place updates are now version-checked: "modified by an inplace operation"). Silent change: — (loud). How common: H (9/11)',
    kind="meaning",
)

AG_ZERO_GRAD_NONE = shift(
    "ag-zero-grad-none",
    "opt.zero_grad() → zero_grad(set_to_none=False)",
    old="`opt.zero_grad()` then `p.grad += ...`, `p.grad.data...`, `if p.grad is None` logic",
    new="`zero_grad(set_to_none=False)` wherever grads are read",
    added="1.7",
    removed="2.0",
    strategy="codemod",
    notes="added: 1.7 (`set_to_none`); removed: 2.0: default flipped to True (Optimizer and nn.Module). Silent change: YES: `.grad` is None instead of zeros → TypeError, or silently different branches. How common: M (6/11)",
    kind="meaning",
)

AG_INFERENCE_MODE = shift(
    "ag-inference-mode",
    "torch.inference_mode() on torch < 1.9 → torch.no_grad()",
    old="new code using `torch.inference_mode()` on old torch",
    new="fall back to `torch.no_grad()`",
    added="1.9",
    strategy="backport",
    notes="How common: ns",
    kind="spelling",
)

AG_RETAIN_VARIABLES = shift(
    "ag-retain-variables",
    "loss.backward(retain_variables=True) → loss.backward(retain_graph=True)",
    old="`loss.backward(retain_variables=True)`",
    new="`loss.backward(retain_graph=True)`",
    added="0.2",
    deprecated="0.3",
    removed="0.4",
    strategy="legacy-restore",
    verified=False,
    notes="added: 0.2/0.3 (`retain_graph`); removed: 0.4 ? (TypeError: unexpected keyword `retain_variables`). How common: M (2 of 35 real scripts)",
    kind="spelling",
)

AG_ZERO_DIM_ITERATION = shift(
    "ag-zero-dim-iteration",
    "iterating a LongTensor gives 0-dim tensors, not ints (0.4)",
    old="iterating a 1-D LongTensor yields Python ints (0.3) used as `CrossEntropyLoss` targets or in `torch.cat`",
    new="elements are 0-dim tensors since 0.4",
    added="0.4",
    removed="0.4",
    strategy="codemod",
    notes='Silent change: errors such as "Expected input batch_size (1) to match target batch_size (0)" or "zero-dimensional tensor cannot be concatenated". How common: M (2 of 35 real scripts)',
    kind="meaning",
)

AG_SCALAR_ONE_ELEMENT = shift(
    "ag-scalar-one-element",
    "0.3 scalars were 1-element tensors: losses, reductions and x[i] of a 1-D Variable are 0-dim since 0.4",
    old="`torch.cat([loss_a, loss_b])`, `criterion(out, label_from_iteration)`, `loss.data.numpy()[0]`, "
    "`len(loss)` on results of shape `(1,)` (0.3)",
    new="`torch.stack([...])` / `x.view(1)`, `label.view(1)`, `loss.item()`",
    added="0.4",
    removed="0.4",
    link="https://pytorch.org/blog/pytorch-0_4_0-migration-guide/",
    strategy="legacy-restore",
    notes="0.3 had no 0-dim tensors: a reduction or loss on a Variable, and `v[i]` of a 1-D Variable, gave shape "
    '`(1,)`; 0.4.0 made them 0-dim (migration guide, "Support for 0-dimensional (scalar) Tensors"). Old code then '
    'raises: "zero-dimensional tensor cannot be concatenated", "Expected input batch_size (1) to match target '
    'batch_size (0)", IndexError on a 0-d array, "len() of a 0-d tensor". `torchcompat run` (era 0.3) treats the '
    "0-dim value as `(1,)` exactly where torch raises, in the project's own code.",
    kind="meaning",
)

AG_OPTIMIZER_INPLACE_GAN = shift(
    "ag-optimizer-inplace-gan",
    "GAN loops stepping D before G's backward → recompute D's forward after the step",
    old="GAN loops that call `opt_D.step()` and then backprop a generator loss through the same D graph",
    new="recompute D's forward pass after the step, or order backward/step",
    removed="1.5",
    strategy="warn-only",
    notes='removed: 1.5 (version counter check: "modified by an inplace operation"). Silent change: — (loud). How common: M (2 of 35 real scripts)',
    kind="meaning",
)


# ----------------------------------------------------------------------------------------------
# Adapters
# ----------------------------------------------------------------------------------------------
import threading  # noqa: E402
from typing import Any  # noqa: E402

from torchcompat.probe import MISSING  # noqa: E402
from torchcompat.registry import backport, native  # noqa: E402
from torchcompat.shifts.tensor import _tensor  # noqa: E402

AG_VOLATILE.probe = "no_grad"
AG_INFERENCE_MODE.probe = "inference_mode"
AG_DATA_INDEX_0.probe = "Tensor.item"
AG_VARIABLE_WRAPPER.probe = "tensor"


class _GradMode(threading.local):
    """Grad mode for torch 0.3, which had none: only volatile Variables. ``tc.no_grad()`` there
    makes the Variables that :func:`torchcompat.variable` creates inside the block volatile."""

    enabled = True


_GRAD_MODE = _GradMode()


class _SetGradEnabled:
    """``set_grad_enabled`` for torch < 0.4: a call, a context manager and a decorator."""

    def __init__(self, mode: bool = True) -> None:
        self.prev = _GRAD_MODE.enabled
        self.mode = bool(mode)
        _GRAD_MODE.enabled = self.mode

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        _GRAD_MODE.enabled = self.prev

    def __call__(self, fn: Any) -> Any:
        import functools

        mode = self.mode
        _GRAD_MODE.enabled = self.prev  # used as a decorator: undo the constructor's switch

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with _SetGradEnabled(mode):
                return fn(*args, **kwargs)

        return wrapper


class _NoGrad(_SetGradEnabled):
    """``torch.no_grad`` for torch < 0.4 (see :class:`_GradMode`). Remove when torch >= 0.4."""

    def __init__(self) -> None:
        self.prev = _GRAD_MODE.enabled
        self.mode = False

    def __enter__(self) -> None:
        self.prev = _GRAD_MODE.enabled
        _GRAD_MODE.enabled = False


class _EnableGrad(_NoGrad):
    """``torch.enable_grad`` for torch < 0.4. Remove when torch >= 0.4."""

    def __init__(self) -> None:
        self.prev = _GRAD_MODE.enabled
        self.mode = True

    def __enter__(self) -> None:
        self.prev = _GRAD_MODE.enabled
        _GRAD_MODE.enabled = True


@AG_VOLATILE.native_or("no_grad")
def _no_grad(env: Any) -> Any:
    return backport(_NoGrad, "grad mode emulated for tc.variable")


@AG_VOLATILE.native_or("enable_grad")
def _enable_grad(env: Any) -> Any:
    return backport(_EnableGrad, "grad mode emulated for tc.variable")


@AG_VOLATILE.native_or("set_grad_enabled")
def _set_grad_enabled(env: Any) -> Any:
    return backport(_SetGradEnabled, "grad mode emulated for tc.variable")


@AG_VOLATILE.native_or("is_grad_enabled")
def _is_grad_enabled(env: Any) -> Any:

    def is_grad_enabled() -> bool:
        """Grad mode for torch < 0.4 as set by ``tc.no_grad``/``tc.set_grad_enabled``. Remove when torch >= 0.4."""
        return _GRAD_MODE.enabled

    return backport(is_grad_enabled)


@AG_INFERENCE_MODE.native_or("inference_mode")
def _inference_mode(env: Any) -> Any:
    no_grad = _no_grad(env).obj

    class inference_mode:
        """``torch.inference_mode`` for torch < 1.9: ``no_grad`` (same results, no inference-tensor
        speedup); ``mode=False`` leaves grad mode as it is. https://github.com/pytorch/pytorch/pull/58045.
        Remove when torch >= 1.9."""

        def __init__(self, mode: bool = True) -> None:
            self.mode = mode
            self._ctx: Any = None

        def __enter__(self) -> None:
            if self.mode:
                self._ctx = no_grad()
                self._ctx.__enter__()

        def __exit__(self, *exc: Any) -> None:
            if self._ctx is not None:
                self._ctx.__exit__(*exc)
                self._ctx = None

        def __call__(self, fn: Any) -> Any:
            import functools

            mode = self.mode

            @functools.wraps(fn)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                with inference_mode(mode):
                    return fn(*args, **kwargs)

            return wrapper

    return backport(inference_mode, "falls back to no_grad")


def _tensor_types(env: Any) -> tuple:
    torch = env.torch
    types_ = [torch.Tensor]
    var = env.get("autograd.Variable")
    if var is not MISSING and isinstance(var, type) and not issubclass(var, torch.Tensor):
        types_.append(var)  # torch 0.3: Variable is not a Tensor
    return tuple(types_)


@AG_VARIABLE_WRAPPER.adapter("variable")
def _variable(env: Any) -> Any:
    torch = env.torch
    if env.has("tensor") and env.has("Tensor.requires_grad_"):
        Tensor, detach, new_tensor = torch.Tensor, torch.Tensor.detach, torch.tensor

        def variable(data: Any, requires_grad: bool = False, volatile: bool = False) -> Any:
            """The portable ``Variable(data, requires_grad, volatile)``: a leaf tensor. ``volatile=True``
            (0.3: no graph) gives a tensor that does not require grad; compute under ``tc.no_grad()``
            to keep no graph. https://pytorch.org/blog/pytorch-0_4_0-migration-guide/"""
            if not (requires_grad or volatile):  # the common call, kept short
                return detach(data) if isinstance(data, Tensor) else new_tensor(data)
            if volatile and requires_grad:
                raise ValueError("a variable cannot be both volatile and require grad (torch 0.3 rule)")
            out = detach(data) if isinstance(data, Tensor) else new_tensor(data)
            return out.requires_grad_(True) if requires_grad else out

        return backport(variable, "a leaf tensor; Variable is gone since 0.4")

    Variable = env.get("autograd.Variable")
    to_tensor = _tensor(env).obj

    def variable(data: Any, requires_grad: bool = False, volatile: bool = False) -> Any:  # type: ignore[no-redef]
        """``Variable`` on torch < 0.4: volatile inside ``tc.no_grad()``. Remove when torch >= 0.4."""
        if isinstance(data, Variable):
            data = data.data
        elif not isinstance(data, torch.Tensor):
            data = to_tensor(data)
        volatile = volatile or not _GRAD_MODE.enabled
        if volatile and requires_grad:
            raise ValueError("a variable cannot be both volatile and require grad (torch 0.3 rule)")
        return Variable(data, requires_grad=requires_grad, volatile=volatile)

    return backport(variable, "wraps torch.autograd.Variable")


@AG_DATA_INDEX_0.adapter("item")
def _item(env: Any) -> Any:
    fn = env.get("Tensor.item")
    if fn is not MISSING:
        return native(fn, "torch.Tensor.item")
    types_ = _tensor_types(env)

    def item(x: Any) -> Any:
        """The Python number of a one-element tensor or Variable on torch < 0.4, where ``.data[0]`` was
        the idiom. Remove when torch >= 0.4."""
        if not isinstance(x, types_):
            raise TypeError("item() expects a tensor or Variable, got %s" % type(x).__name__)
        data = getattr(x, "data", x) if len(types_) > 1 and isinstance(x, types_[1]) else x
        if data.numel() != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return data.contiguous().view(-1)[0]

    return backport(item)


@AG_NUMPY_REQUIRES_GRAD.adapter("to_numpy")
def _to_numpy(env: Any) -> Any:
    types_ = _tensor_types(env)
    if env.has("Tensor.detach"):

        def to_numpy(x: Any) -> Any:
            """``x.detach().cpu().numpy()``: the NumPy array of any tensor, even one that requires grad."""
            return x.detach().cpu().numpy()

        return backport(to_numpy, "detach().cpu().numpy()")

    def to_numpy(x: Any) -> Any:  # type: ignore[no-redef]
        """The NumPy array of a tensor or Variable on torch < 0.4 (``.data.cpu().numpy()``)."""
        if len(types_) > 1 and isinstance(x, types_[1]):
            x = x.data
        return x.cpu().numpy()

    return backport(to_numpy, ".data.cpu().numpy()")


@AG_ZERO_GRAD_NONE.adapter("zero_grad")
def _zero_grad(env: Any) -> Any:
    takes_set_to_none = env.accepts("optim.Optimizer.zero_grad", "set_to_none")

    def zero_grad(optimizer_or_module: Any, set_to_none: bool = False) -> None:
        """``obj.zero_grad(set_to_none=...)`` with the same default (False: zeros) on every release;
        2.0 flipped torch's default to True (https://github.com/pytorch/pytorch/pull/92731)."""
        if takes_set_to_none:
            optimizer_or_module.zero_grad(set_to_none=set_to_none)
        elif not set_to_none:
            optimizer_or_module.zero_grad()
        else:  # torch < 1.7: the same thing by hand
            if hasattr(optimizer_or_module, "param_groups"):
                params = [p for group in optimizer_or_module.param_groups for p in group["params"]]
            else:
                params = list(optimizer_or_module.parameters())
            for p in params:
                p.grad = None

    return backport(zero_grad, "set_to_none passed explicitly")
