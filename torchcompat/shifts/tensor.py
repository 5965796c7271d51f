"""Tensor shifts: constructors, devices, bool/uint8 masks, integer division, meshgrid ...

Records generated from the shift catalogue; adapters, probes and notes are added beside them."""

from __future__ import annotations

from torchcompat.registry import declare

shift = declare("tensor")

T_LEGACY_CTOR_DEVICE = shift(
    "t-legacy-ctor-device",
    "torch.cuda.FloatTensor(n) → torch.tensor(d, dtype=, device=)",
    old="`torch.cuda.FloatTensor(n)`, `torch.FloatTensor(list)`, `.cuda()` hard-coded",
    new="`torch.tensor(d, dtype=, device=)`, `torch.empty(n, device=)`, `x.to(device)`, `torch.device`",
    added="0.4",
    strategy="backport",
    notes="deprecated: soft (docs). Silent change: `torch.FloatTensor(3)` = 3 uninitialised values vs `torch.tensor(3.)` = scalar (classic porting bug). How common: ns (H)",
    kind="spelling",
)

T_ASYNC_KWARG = shift(
    "t-async-kwarg",
    "x.cuda(async=True) → x.cuda(non_blocking=True)",
    old="`x.cuda(async=True)`, `y.copy_(x, async=True)`",
    new="`non_blocking=True`",
    added="0.4",
    deprecated="0.4",
    removed="3.7",
    link="https://github.com/pytorch/pytorch/pull/4999",
    strategy="codemod",
    verified=False,
    notes="added: 0.4.0 (PR #4999); removed: SyntaxError on Python ≥3.7 whatever the torch version; torch-side kwarg removal ?. How common: VH (11/12)",
    kind="spelling",
)

T_BOOL_COMPARE = shift(
    "t-bool-compare",
    "1 - mask → ~mask",
    old="comparison masks used as uint8: `1 - mask`, `-mask`, `mask * x` arithmetic",
    new="`~mask` / `mask.logical_not()`, explicit `.long()`/`.float()`",
    added="1.2",
    removed="1.2",
    strategy="codemod",
    notes="added: 1.2 (`torch.bool`); removed: 1.2: comparisons return bool; `-` on bool raises RuntimeError. Silent change: the arithmetic dtype of masks changes. How common: H (10/12)",
    kind="meaning",
)

T_UINT8_MASK = shift(
    "t-uint8-mask",
    "x[byte_mask], masked_fill(byte_mask, v) → bool masks (mask.bool())",
    old="`x[byte_mask]`, `masked_fill(byte_mask, v)`, `masked_select`, `torch.ByteTensor(mask)`",
    new="`.bool()` masks, `torch.BoolTensor`",
    added="1.2",
    deprecated="1.2",
    strategy="codemod",
    verified=False,
    notes="deprecated: 1.2 (UserWarning); removed: indexing still warns as of 2.x ?; uint8 `masked_fill` became an error in recent 2.x ?. How common: VH (12/12)",
    kind="meaning",
)

T_INT_TRUE_DIVISION = shift(
    "t-int-true-division",
    "int_tensor / n truncated (≤1.5) → true division from 1.7; use // or div(rounding_mode=)",
    old="`int_tensor / n`, `torch.div(a, b)` on integers, `5 / int_tensor`",
    new="`a // b`, `torch.div(a, b, rounding_mode='floor'` or `'trunc')`; `/` only for true division",
    added="1.5",
    deprecated="1.5",
    removed="1.6",
    changed="1.7",  # true division from 1.7 (1.6 raised "Integer division of tensors ... no longer supported")
    strategy="codemod",
    notes='added: 1.5 (`true_divide`, `floor_divide`); 1.8 (`rounding_mode`); deprecated: 1.5 (warning); removed: 1.6 RuntimeError ("Integer division of tensors using div or / is no longer supported"); then true division. Silent change: YES vs ≤1.5: results become float instead of truncated ints (`__rtruediv__` also changed in 1.7). How common: VH (11/12)',
    kind="meaning",
)

T_FLOORDIV_SEMANTICS = shift(
    "t-floordiv-semantics",
    "a // b truncated negatives up to 1.12 → floors from 1.13",
    old="`a // b`, `torch.floor_divide(a, b)` with negative operands (truncation up to 1.12)",
    new="`torch.div(a, b, rounding_mode='trunc')` to keep the old result, `'floor'` for Python semantics",
    added="1.8",
    deprecated="1.9",
    removed="1.13",
    link="https://github.com/pytorch/pytorch/pull/78411",
    strategy="backport",
    verified=False,
    notes='added: 1.8 (`rounding_mode`); deprecated: ~1.9–1.12 ("__floordiv__ is deprecated" UserWarning) ?; removed: 1.13: `//`/`floor_divide` really floor (PR #78411). Silent change: YES: negative quotients shift by one. How common: M (einops, thop, mmdet and others)',
    kind="meaning",
)

T_FULL_INT_DTYPE = shift(
    "t-full-int-dtype",
    "torch.full(size, 1) → torch.full(size, 1.)",
    old="`torch.full(size, 1)` expecting float",
    new="`torch.full(size, 1.)` or `dtype=torch.float`",
    deprecated="1.5",
    removed="1.7",
    strategy="codemod",
    notes="deprecated: 1.5 (warning); removed: 1.7: an int/bool fill value gives a long/bool tensor. Silent change: YES: dtype change leaks into later arithmetic. How common: L (1)",
    kind="meaning",
)

T_LINSPACE_STEPS = shift(
    "t-linspace-steps",
    "torch.linspace(a, b) → torch.linspace(a, b, steps=100)",
    old="`torch.linspace(a, b)`, `torch.logspace(a, b)` (implicit steps=100)",
    new="`torch.linspace(a, b, steps=100)`",
    deprecated="1.7",
    removed="1.11",
    link="https://github.com/pytorch/pytorch/pull/43860",
    strategy="codemod",
    notes='deprecated: 1.7 (PR #43860); removed: 1.11 (TypeError: missing "steps"). How common: L (4)',
    kind="spelling",
)

T_T_ND = shift(
    "t-T-nd",
    "x.T → x.mT",
    old="`x.T` on tensors with ndim ≠ 2",
    new="`x.mT` (batched matrix transpose) or `x.permute(*reversed(range(x.ndim)))`",
    added="1.11",
    deprecated="1.11",
    strategy="codemod",
    verified=False,
    notes="deprecated: ~1.11–2.0 (warning) ?; removed: planned error ?. How common: ns (L). "
    'Kind: `x.T` reverses all dims on every release that has it (2.13 warns "deprecated and it will throw an error in a future release"), so `x.permute(k-1, ..., 0)` means the same everywhere: a deprecated spelling, not a change of meaning.',
    kind="spelling",
)

T_MT_MH = shift(
    "t-mT-mH",
    "x.mT → x.transpose(-2, -1)",
    old="code already migrated to `x.mT`, `x.mH` (e.g. TorchFix's `cholesky(upper=True)` fix) run on old torch",
    new="`x.transpose(-2, -1)`, `.conj()`",
    added="1.11",
    strategy="backport",
    notes="How common: ns",
    kind="spelling",
    planned="adapter: tc.mT / tc.mH for torch < 1.11 are not written yet",
)

T_SCALAR_FIRST_OVERLOADS = shift(
    "t-scalar-first-overloads",
    "p.data.add_(-lr, grad) → add_(grad, alpha=-lr)",
    old="`p.data.add_(-lr, grad)`, `addcmul_(1-b2, g, g)`, `addcdiv_(-lr, a, b)`, `torch.addmm(beta, M, alpha, m1, m2)`",
    new="`add_(grad, alpha=-lr)`, `addcmul_(g, g, value=...)`, keyword `beta=`/`alpha=`",
    added="1.0",  # the keyword spellings already exist on 1.0.1 (tests run TC231 output there)
    deprecated="1.5",
    strategy="codemod",
    verified=False,
    notes='deprecated: 1.5 (UserWarning "This overload of add_ is deprecated"); removed: still present (warns) as of 2.x ?. How common: H (10/12; custom optimizers RAdam, LAMB, Ranger, BERT)',
    kind="spelling",
)

T_TYPED_STORAGE = shift(
    "t-typed-storage",
    "t.storage() → t.untyped_storage()",
    old="`t.storage()`, `torch.FloatStorage`, storage arithmetic",
    new="`t.untyped_storage()`",
    added="2.0",
    deprecated="2.0",
    strategy="alias",
    notes='deprecated: 2.0 (UserWarning "TypedStorage is deprecated"). How common: VH (11/12)',
    kind="meaning",
)

T_DEFAULT_TENSOR_TYPE = shift(
    "t-default-tensor-type",
    "torch.set_default_tensor_type(torch.cuda.FloatTensor) → torch.set_default_dtype()",
    old="`torch.set_default_tensor_type(torch.cuda.FloatTensor)`",
    new="`torch.set_default_dtype()` + `torch.set_default_device('cuda')`",
    added="0.4",
    deprecated="2.1",
    link="https://github.com/pytorch/pytorch/pull/126533",
    strategy="backport",
    notes="added: 0.4.0 / 2.0. Silent change: the legacy `torch.Tensor(...)` ctor ignores `set_default_device` (pytorch#126533). How common: M (6/12)",
    kind="spelling",
    planned="adapter: a portable set_default_device is not written yet",
)

T_DETERMINISTIC = shift(
    "t-deterministic",
    "torch.set_deterministic(True) → torch.use_deterministic_algorithms(True)",
    old="`torch.set_deterministic(True)`",
    new="`torch.use_deterministic_algorithms(True)`",
    added="1.8",
    deprecated="1.8",
    removed="1.10",
    strategy="alias",
    verified=False,
    notes="How common: ns (L)",
    kind="spelling",
)
T_DETERMINISTIC.moved("torch.set_deterministic", "torch.use_deterministic_algorithms", code="TC862")
T_DETERMINISTIC.moved("torch.is_deterministic", "torch.are_deterministic_algorithms_enabled", code="TC863")

MISC_MESHGRID_INDEXING = shift(
    "misc-meshgrid-indexing",
    "torch.meshgrid(x, y) → torch.meshgrid(x, y, indexing='ij')",
    old="`torch.meshgrid(x, y)`",
    new="`torch.meshgrid(x, y, indexing='ij')`",
    added="1.10",
    deprecated="1.10",
    strategy="codemod",
    notes="deprecated: 1.10 (UserWarning); removed: default still `'ij'` as of 2.x; docs announce a future switch to `'xy'` (NumPy). Silent change: YES if the default flips; NumPy-ported code expecting `'xy'` is already wrong. How common: VH (11/12). "
    "Kind: no release changed the meaning (api_probe 1.0.1-2.15: `indexing=` accepted and the warning from 1.10, the default `'ij'` throughout), so `indexing='ij'` means the same on every release: a deprecated spelling, rewritten at any era; should the default ever flip, this record gets `changed=` and kind meaning.",
    kind="spelling",
)

MISC_CPP_EXT_LEGACY = shift(
    "misc-cpp-ext-legacy",
    "AT_DISPATCH_FLOATING_TYPES(x.type(), ...) → x.scalar_type()",
    old="C++ extensions: `AT_DISPATCH_FLOATING_TYPES(x.type(), ...)`, `x.type().is_cuda()`, `x.data<T>()`; `torch.utils.ffi`",
    new="`x.scalar_type()`, `x.is_cuda()`, `x.data_ptr<T>()`; `torch.utils.cpp_extension`",
    added="1.0",
    deprecated="1.0",
    removed="1.0",
    strategy="codemod",
    verified=False,
    notes="deprecated: 1.0–1.5 ?; removed: `torch.utils.ffi` removed in 1.0; `.type()` dispatch reported as a compile error on 2.12 ?. How common: ns (M)",
    kind="spelling",
)

T_INT_DIV_AS_INDEX = shift(
    "t-int-div-as-index",
    "idx = n / 2 → n // 2",
    old="`idx = n / 2` with `n` a LongTensor, then used as an index, `range()` bound or loss target",
    new="`n // 2`, `torch.div(n, 2, rounding_mode='floor')`",
    added="1.5",
    deprecated="1.5",
    removed="1.7",
    strategy="legacy-restore",
    notes='added: 1.5–1.8; removed: 1.7: `/` returns float → "tensors used as indices must be long…", "only integer tensors of a single element can be converted to an index", "expected target dtype to be Long". Silent change: YES where the float is used silently. How common: M',
    kind="meaning",
)


# ----------------------------------------------------------------------------------------------
# Adapters
# ----------------------------------------------------------------------------------------------
from typing import Any, Optional  # noqa: E402

from torchcompat.probe import MISSING  # noqa: E402
from torchcompat.registry import backport, native  # noqa: E402

T_LEGACY_CTOR_DEVICE.probe = "tensor"
T_UINT8_MASK.probe = "bool"
T_INT_TRUE_DIVISION.probe = lambda env: env.accepts("div", "rounding_mode")
T_FLOORDIV_SEMANTICS.probe = lambda env: _floor_divide_floors(env)
MISC_MESHGRID_INDEXING.probe = lambda env: env.accepts("meshgrid", "indexing")


@T_LEGACY_CTOR_DEVICE.native_or("tensor")
def _tensor(env: Any) -> Any:
    torch = env.torch

    def tensor(data: Any, dtype: Any = None, requires_grad: bool = False) -> Any:
        """``torch.tensor`` for torch < 0.4: copies ``data`` with torch's dtype inference (integers ->
        LongTensor, floats -> FloatTensor, bools -> ByteTensor); ``dtype`` is a legacy tensor type.
        Remove when torch >= 0.4."""
        import numpy

        if isinstance(data, torch.Tensor if isinstance(torch.Tensor, type) else ()):
            out = data.clone()
        else:
            arr = numpy.array(data)
            if arr.dtype.kind == "f":
                arr = arr.astype(numpy.float32)
            elif arr.dtype.kind in "iu":
                arr = arr.astype(numpy.int64)
            elif arr.dtype.kind == "b":
                arr = arr.astype(numpy.uint8)
            out = torch.from_numpy(arr)
        if dtype is not None:
            out = out.type(dtype)
        if requires_grad:
            out = torch.autograd.Variable(out, requires_grad=True)
        return out

    return backport(tensor)


@T_LEGACY_CTOR_DEVICE.native_or("device")
def _device(env: Any) -> Any:

    class device:
        """``torch.device`` for torch < 0.4: parses ``"cuda:1"`` / ``("cuda", 1)`` into ``type`` and
        ``index`` so that ``tc.to(x, device)`` can pick ``.cuda(index)`` or ``.cpu()``. Remove when torch >= 0.4."""

        def __init__(self, type: Any, index: Optional[int] = None) -> None:
            if isinstance(type, device):
                type, index = type.type, type.index
            kind, _, idx = str(type).partition(":")
            if kind not in ("cpu", "cuda"):
                raise RuntimeError("Expected one of cpu, cuda device type at start of device string: %s" % type)
            if idx:
                if index is not None:
                    raise RuntimeError("device index given twice: %r and %r" % (type, index))
                index = int(idx)
            self.type = kind
            self.index = index

        def __eq__(self, other: Any) -> bool:
            return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

        def __hash__(self) -> int:
            return hash((self.type, self.index))

        def __str__(self) -> str:
            return self.type if self.index is None else "%s:%d" % (self.type, self.index)

        def __repr__(self) -> str:
            return "device(type=%r%s)" % (self.type, "" if self.index is None else ", index=%d" % self.index)

    return backport(device)


@T_ASYNC_KWARG.adapter("to")
def _to(env: Any) -> Any:
    fn = env.get("Tensor.to")
    if fn is not MISSING:
        # ``Tensor.to(x, device=None, dtype=None, non_blocking=False)`` is this adapter's signature
        # since 0.4 (``async=`` became ``non_blocking=``, https://github.com/pytorch/pytorch/pull/4999).
        return native(fn, "torch.Tensor.to")

    device_cls = _device(env).obj

    def to(x: Any, device: Any = None, dtype: Any = None, non_blocking: bool = False) -> Any:
        """``Tensor.to`` for torch < 0.4: ``.cuda(index, async=...)`` / ``.cpu()`` and ``.type(dtype)``
        (a legacy type). Remove when torch >= 0.4."""
        if dtype is not None:
            x = x.type(dtype)
        if device is not None:
            dev = device_cls(device) if not isinstance(device, int) else device_cls("cuda", device)
            x = x.cpu() if dev.type == "cpu" else x.cuda(dev.index, **{"async": non_blocking})
        return x

    return backport(to, "cuda()/cpu()/type()")


@T_UINT8_MASK.adapter("bool_mask")
def _bool_mask(env: Any) -> Any:
    fn = env.get("Tensor.bool")
    if fn is not MISSING:
        # A bool mask, returned as is when it already is one (bool dtype: 1.2,
        # https://github.com/pytorch/pytorch/pull/21113).
        return native(fn, "torch.Tensor.bool")

    def bool_mask(mask: Any) -> Any:
        """uint8 masks for torch < 1.2, which had no bool dtype. Remove when torch >= 1.2."""
        return mask.byte() if mask.type() not in ("torch.ByteTensor", "torch.cuda.ByteTensor") else mask

    return backport(bool_mask, "uint8 before torch.bool")


def _is_floating(x: Any) -> bool:
    fp = getattr(x, "is_floating_point", None)
    return bool(fp()) if fp is not None else x.type().split(".")[-1] in ("FloatTensor", "DoubleTensor", "HalfTensor")


@T_INT_TRUE_DIVISION.adapter("div")
def _div(env: Any) -> Any:
    torch = env.torch
    if env.accepts("div", "rounding_mode"):
        return native(torch.div)

    def div(a: Any, b: Any, rounding_mode: Optional[str] = None) -> Any:
        """``torch.div`` with ``rounding_mode`` (1.8, https://github.com/pytorch/pytorch/pull/51706) on
        older torch: ``None`` divides truly (floats out of integers, as 1.7+), ``"trunc"`` / ``"floor"``
        round like C / Python and keep integer dtypes. Remove when torch >= 1.8."""
        if not isinstance(a, torch.Tensor):
            a = torch.tensor(a)
        a, b = _promote(torch, a, b)
        floating = _is_floating(a) or isinstance(b, float)
        if rounding_mode is None:
            if not floating:
                a = a.to(torch.get_default_dtype())
                b = b.to(a.dtype) if isinstance(b, torch.Tensor) else b
            return torch.div(a, b)
        if rounding_mode == "trunc":
            if floating:
                return torch.trunc(torch.div(a, b))
            return int_floor_div(torch, a, b, floor=False)
        if rounding_mode == "floor":
            if floating:
                return torch.floor(torch.div(a, b))
            return int_floor_div(torch, a, b, floor=True)
        raise ValueError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found %r" % (rounding_mode,)
        )

    return backport(div)


def _promote(torch: Any, a: Any, b: Any) -> Any:
    """Bring two tensors to one dtype as type promotion (1.5+) would: torch < 1.5 refused mixed dtypes."""
    if not isinstance(b, torch.Tensor) or a.dtype == b.dtype:
        return a, b
    if _is_floating(a) or _is_floating(b):
        dtypes = [t.dtype for t in (a, b) if _is_floating(t)]
        dtype = torch.float64 if torch.float64 in dtypes else dtypes[0]
    else:
        dtype = torch.int64
    return a.to(dtype), b.to(dtype)


def int_floor_div(torch: Any, a: Any, b: Any, floor: bool) -> Any:
    """Integer division that never goes through a float (exact for large int64); ``floor=False`` truncates.
    Public: the legacy restores of integer division use it too."""
    rem = torch.fmod(a, b)  # C semantics: the sign of the dividend
    # ``a - rem`` is an exact multiple of ``b``, so any integer division of it is exact: ``div`` on
    # integers truncates up to 1.4; from 1.5 (where ``div`` warns, then raises, then true-divides)
    # ``floor_divide`` does it (truncating until 1.13, which is the same on exact multiples).
    exact = torch.floor_divide(a - rem, b) if hasattr(torch, "floor_divide") else torch.div(a - rem, b)
    if not floor:
        return exact
    # Python floors: one lower where the remainder is non-zero and its sign differs from the divisor's.
    b_neg = (b < 0) if isinstance(b, torch.Tensor) else bool(b < 0)
    adjust = (
        (rem != 0) & ((rem < 0) != b_neg)
        if isinstance(b, torch.Tensor)
        else (rem != 0) & ((rem < 0) if not b_neg else (rem > 0))
    )
    return exact - adjust.type_as(exact)


def _floor_divide_floors(env: Any) -> bool:
    """Behaviour probe: does ``torch.floor_divide(-7, 2)`` give -4 (1.13+) rather than -3?"""
    if not env.has("floor_divide"):
        return False
    return env.behaves(
        "floor_divide floors", lambda torch: int(torch.floor_divide(torch.tensor([-7]), torch.tensor([2]))[0]) == -4
    )


@T_FLOORDIV_SEMANTICS.adapter("floor_divide")
def _floor_divide(env: Any) -> Any:
    if _floor_divide_floors(env):
        return native(env.torch.floor_divide)
    div = _div(env).obj

    def floor_divide(a: Any, b: Any) -> Any:
        """``torch.floor_divide`` that floors on every release: torch truncated negative quotients up to
        1.12 (https://github.com/pytorch/pytorch/pull/78411). Remove when torch >= 1.13."""
        return div(a, b, rounding_mode="floor")

    return backport(floor_divide)


@MISC_MESHGRID_INDEXING.adapter("meshgrid")
def _meshgrid(env: Any) -> Any:
    torch = env.torch
    if env.accepts("meshgrid", "indexing"):
        return native(torch.meshgrid)
    old = torch.meshgrid

    def meshgrid(*tensors: Any, indexing: str = "ij") -> Any:
        """``torch.meshgrid(..., indexing=)`` for torch < 1.10, which only did ``"ij"``
        (https://github.com/pytorch/pytorch/pull/62724). Remove when torch >= 1.10."""
        if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
            tensors = tuple(tensors[0])
        if indexing == "ij":
            return old(*tensors)
        if indexing != "xy":
            raise ValueError("torch.meshgrid: indexing must be one of 'xy' or 'ij', but received: %s" % indexing)
        if len(tensors) < 2:
            return old(*tensors)
        swapped = list(old(tensors[1], tensors[0], *tensors[2:]))
        swapped[0], swapped[1] = swapped[1], swapped[0]
        return tuple(swapped)

    return backport(meshgrid)
