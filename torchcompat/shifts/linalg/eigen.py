"""``tc.linalg.eigh``, ``eigvalsh``, ``eig``, ``eigvals`` and ``eig_legacy``: torch.linalg's where present,
else backports over symeig / eig."""

from __future__ import annotations

from typing import Any, Callable, Optional, Tuple

from torchcompat.probe import MISSING
from torchcompat.registry import Resolution, backport, native, unavailable
from torchcompat.shifts.linalg.batching import (
    _batched_call,
    _check_square,
    _finish,
    _per_matrix,
)
from torchcompat.shifts.linalg.records import (
    LA_EIG,
    LA_SYMEIG,
)
from torchcompat.shifts.linalg.results import (
    EighResult,
    EigResult,
    LegacyEigResult,
    Tensor,
)

# -- eigen decompositions -----------------------------------------------------------------------------------------


def _check_uplo(UPLO: str) -> None:
    if UPLO not in ("L", "U", "l", "u"):
        raise RuntimeError("Expected UPLO argument to be 'L' or 'U', but got %s" % UPLO)


@LA_SYMEIG.native_or("linalg.eigh")
def _eigh(env: Any) -> Resolution:
    torch = env.torch
    upper = _batched_call(env, "symeig-U", lambda a: torch.symeig(a, eigenvectors=True, upper=True), lambda a, b: (a,))
    lower = _batched_call(env, "symeig-L", lambda a: torch.symeig(a, eigenvectors=True, upper=False), lambda a, b: (a,))

    def eigh(A: Tensor, UPLO: str = "L", *, out: Optional[Tuple[Tensor, Tensor]] = None) -> Any:
        """torch.linalg.eigh for torch < 1.8: torch.symeig(A, eigenvectors=True, upper=UPLO == 'U') (symeig's
        default triangle was the upper one; eigh reads the lower), as an (eigenvalues, eigenvectors) named tuple,
        batched. PR #45526, deprecation PR #57732. Remove when torch >= 1.8."""
        if UPLO == "L":
            w, V = lower(A)
        else:
            _check_uplo(UPLO)
            w, V = (upper if UPLO.upper() == "U" else lower)(A)
        return EighResult(w, V) if out is None else _finish(EighResult(w, V), out)

    return backport(eigh)


@LA_SYMEIG.adapter("linalg.eigvalsh")
def _eigvalsh(env: Any) -> Resolution:
    fn = env.get("linalg.eigvalsh")
    torch = env.torch
    if fn is not MISSING:
        grad = env.behaves(
            "linalg-eigvalsh-grad",
            lambda t: t.linalg.eigvalsh(t.eye(2, dtype=t.float64).requires_grad_()).requires_grad,
        )
        if grad:
            return native(fn)
        own, eigh = fn, env.get("linalg.eigh")

        def eigvalsh_grad(A: Tensor, UPLO: str = "L", *, out: Optional[Tensor] = None) -> Tensor:
            """torch.linalg.eigvalsh of torch 1.8, whose result silently drops autograd: through linalg.eigh when
            A requires grad. pytorch#42666. Remove when torch >= 1.9."""
            if A.requires_grad and torch.is_grad_enabled():
                return _finish(eigh(A, UPLO)[0], out)
            return own(A, UPLO) if out is None else own(A, UPLO, out=out)

        return backport(eigvalsh_grad, "keeps autograd")
    upper = _batched_call(env, "symeigvals-U", lambda a: torch.symeig(a, upper=True)[0], lambda a, b: (a,))
    lower = _batched_call(env, "symeigvals-L", lambda a: torch.symeig(a, upper=False)[0], lambda a, b: (a,))
    eigh_backport = _eigh(env).obj

    def eigvalsh(A: Tensor, UPLO: str = "L", *, out: Optional[Tensor] = None) -> Tensor:
        """torch.linalg.eigvalsh for torch < 1.8: torch.symeig(A, upper=UPLO == 'U').eigenvalues (with the
        eigenvectors when A needs a gradient: symeig cannot differentiate without them), batched.
        PR #45526, deprecation PR #57732. Remove when torch >= 1.8."""
        _check_uplo(UPLO)
        if A.requires_grad and torch.is_grad_enabled():
            return _finish(eigh_backport(A, UPLO)[0], out)
        return _finish((upper if UPLO.upper() == "U" else lower)(A), out)

    return backport(eigvalsh)


def _has_complex(env: Any) -> bool:
    def check(torch: Any) -> bool:
        z = torch.view_as_complex(torch.tensor([[1.0, 2.0]], dtype=torch.float64))
        return bool(z.is_complex()) and torch.view_as_real(z).shape == (1, 2)

    return env.has("view_as_complex") and bool(env.behaves("complex-tensors", check))


def _eig_backport(env: Any, vectors: bool) -> Callable[[Tensor], Any]:
    torch = env.torch

    def one(A: Tensor) -> Tuple[Tensor, ...]:
        w, V = torch.eig(A, eigenvectors=vectors)
        re, im = w[:, 0], w[:, 1]
        if not vectors:
            return (re, im)
        # LAPACK geev packs a conjugate pair (j, j+1) as v_j = V[:, j] + i V[:, j+1], v_j+1 = conj(v_j).
        vr, vi = V.clone(), torch.zeros_like(V)
        imag = im.tolist()
        j, n = 0, len(imag)
        while j < n:
            if imag[j] != 0.0 and j + 1 < n:
                vr[:, j + 1] = V[:, j]
                vi[:, j] = V[:, j + 1]
                vi[:, j + 1] = -V[:, j + 1]
                j += 2
            else:
                j += 1
        return (re, im, vr, vi)

    def run(A: Tensor) -> Any:
        parts = _per_matrix(torch, one, (A,), (2,))
        values = torch.view_as_complex(torch.stack([parts[0], parts[1]], -1).contiguous())
        if not vectors:
            return values
        return EigResult(values, torch.view_as_complex(torch.stack([parts[2], parts[3]], -1).contiguous()))

    return run


@LA_EIG.native_or("linalg.eig")
def _eig(env: Any) -> Resolution:
    if not env.has("eig") or not _has_complex(env):
        return unavailable("1.6", "linalg.eig returns complex tensors (torch.view_as_complex)")
    run = _eig_backport(env, True)

    def eig(A: Tensor, *, out: Optional[Tuple[Tensor, Tensor]] = None) -> Any:
        """torch.linalg.eig for torch 1.6-1.8: torch.eig's real (n, 2) eigenvalues and packed eigenvectors turned
        into complex tensors (view_as_complex), looping over the batch. pytorch#42666, deprecation PR #57727.
        Remove when torch >= 1.9."""
        _check_square("eig", A)
        return _finish(run(A), out)

    return backport(eig)


@LA_EIG.native_or("linalg.eigvals")
def _eigvals(env: Any) -> Resolution:
    if not env.has("eig") or not _has_complex(env):
        return unavailable("1.6", "linalg.eigvals returns complex tensors (torch.view_as_complex)")
    run = _eig_backport(env, False)

    def eigvals(A: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
        """torch.linalg.eigvals for torch 1.6-1.8: torch.eig(A) eigenvalues as a complex tensor, batched.
        pytorch#42666, deprecation PR #57727. Remove when torch >= 1.9."""
        _check_square("eigvals", A)
        return _finish(run(A), out)

    return backport(eigvals)


# -- legacy layouts: torch.eig's real (n, 2) eigenvalues, potri as cholesky_inverse ---------------------------------


@LA_EIG.adapter("linalg.eig_legacy")
def _eig_legacy(env: Any) -> Resolution:
    torch = env.torch
    new = env.get("linalg.eig")
    old = env.get("eig")
    if new is MISSING:
        if old is MISSING:
            return unavailable("1.9", "neither torch.eig nor torch.linalg.eig exists")
        return native(old)  # torch < 1.9: torch.eig itself (no deprecation warning there)

    def eig_legacy(A: Tensor, eigenvectors: bool = False) -> Any:
        """torch.eig's old result from torch.linalg.eig: eigenvalues as a real (n, 2) tensor of (real, imag)
        pairs and, with ``eigenvectors=True``, LAPACK geev's packed real eigenvectors (a conjugate pair j, j+1
        stored as the real and imaginary parts of v_j); else an empty tensor. 2-D real input only, as
        torch.eig. Deprecation PR https://github.com/pytorch/pytorch/pull/57727. Remove when code no longer
        needs torch.eig's layout (torch.eig is gone from 1.13)."""
        if A.dim() != 2 or A.shape[0] != A.shape[1]:
            raise RuntimeError("eig: A must be a square 2-D matrix, got shape %s" % (tuple(A.shape),))
        if A.is_complex() or not A.is_floating_point():
            raise RuntimeError("eig: expected a real floating point matrix, got %s" % (A.dtype,))
        values, vectors = new(A)
        pairs = torch.view_as_real(values).to(A.dtype)
        if not eigenvectors:
            return LegacyEigResult(pairs, A.new_empty(0))
        real = torch.view_as_real(vectors)  # (n, n, 2)
        packed = real[..., 0].clone()
        imag = pairs[:, 1].tolist()
        j, n = 0, len(imag)
        while j < n:
            if imag[j] != 0.0 and j + 1 < n:
                k = j if imag[j] > 0 else j + 1  # geev stores the eigenvalue with the positive imaginary part
                packed[:, j] = real[:, k, 0]
                packed[:, j + 1] = real[:, k, 1]
                j += 2
            else:
                j += 1
        return LegacyEigResult(pairs, packed.to(A.dtype))

    return backport(eig_legacy)
