"""The LAPACK-era restores (torch.gesv, gels, potrf ... symeig, eig, matrix_rank) against NumPy, and against
the native functions of torch 1.0.1 (venv t1.0, tests/places.py, run in a subprocess) where that venv exists."""

from __future__ import annotations

import json
import os
import warnings

import numpy as np
import pytest
import torch

import torchcompat.legacy as legacy
from tests import places, procs
from torchcompat.legacy.restores import linalg as r_linalg
from torchcompat.probe import TorchEnv

ENV = TorchEnv.of(torch)
CAN_BUILD = ENV.has("linalg.lu_factor") or ENV.has("lu")
T10 = places.T10_PYTHON

pytestmark = pytest.mark.skipif(not CAN_BUILD, reason="torch < 1.1 has these functions natively (no restore)")


def fn(name):
    builder = dict((n, b) for _, n, b in r_linalg._RESTORES)[name]
    return r_linalg.build(name, builder)(ENV, "0.4", None)


def _data():
    rng = np.random.RandomState(0)
    A = rng.randn(6, 4)
    spd = A.T.dot(A) + 4 * np.eye(4)
    wide = rng.randn(3, 5)
    b6 = rng.randn(6, 2)
    b4 = rng.randn(4, 2)
    b3 = rng.randn(3, 2)
    nonsym = np.array([[0.0, -2.0, 1.0], [2.0, 0.0, 0.5], [0.0, 0.0, 3.0]])
    batch = rng.randn(2, 4, 4) + 4 * np.eye(4)
    rhs = rng.randn(2, 4)
    lowrank = rng.randn(5, 2).dot(rng.randn(2, 5))
    return dict(A=A, spd=spd, wide=wide, b6=b6, b4=b4, b3=b3, nonsym=nonsym, batch=batch, rhs=rhs, lowrank=lowrank)


D = _data()


def T(key):
    return torch.from_numpy(D[key].copy())


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def test_gesv_and_solve_old_order_and_lu():
    for name in ("gesv", "solve"):
        X, LU = fn(name)(T("b4"), T("spd"))
        assert np.allclose(X.numpy(), np.linalg.solve(D["spd"], D["b4"]))
        L = np.tril(LU.numpy(), -1) + np.eye(4)
        U = np.triu(LU.numpy())
        assert np.allclose(np.abs(np.linalg.det(L.dot(U))), np.abs(np.linalg.det(D["spd"])))


def test_gels_and_lstsq():
    for name in ("gels", "lstsq"):
        X, QR = fn(name)(T("b6"), T("A"))
        assert X.shape == (6, 2)
        sol = np.linalg.lstsq(D["A"], D["b6"], rcond=None)[0]
        assert np.allclose(X[:4].numpy(), sol)
        resid = ((D["A"].dot(sol) - D["b6"]) ** 2).sum(0)
        assert np.allclose((X[4:].numpy() ** 2).sum(0), resid)  # rows n..m hold the residual
        Xw, _ = fn(name)(T("b3"), T("wide"))
        assert Xw.shape == (5, 2)
        assert np.allclose(Xw.numpy(), np.linalg.pinv(D["wide"]).dot(D["b3"]))  # minimum norm


def test_cholesky_family():
    U = fn("potrf")(T("spd"))
    assert np.allclose(U.numpy().T.dot(U.numpy()), D["spd"]) and np.allclose(U.numpy(), np.triu(U.numpy()))
    L = fn("potrf")(T("spd"), False)
    assert np.allclose(L.numpy(), np.linalg.cholesky(D["spd"]))
    assert np.allclose(fn("potrs")(T("b4"), U).numpy(), np.linalg.solve(D["spd"], D["b4"]))
    assert np.allclose(fn("potrs")(T("b4"), L, False).numpy(), np.linalg.solve(D["spd"], D["b4"]))
    assert np.allclose(fn("potri")(U).numpy(), np.linalg.inv(D["spd"]))


def test_trtrs():
    R = torch.from_numpy(np.triu(D["spd"]))
    X, clone = fn("trtrs")(T("b4"), R)
    assert np.allclose(X.numpy(), np.linalg.solve(np.triu(D["spd"]), D["b4"]))
    assert torch.equal(clone, R) and clone.data_ptr() != R.data_ptr()
    Xt = fn("trtrs")(T("b4"), R, True, True)[0]
    assert np.allclose(Xt.numpy(), np.linalg.solve(np.triu(D["spd"]).T, D["b4"]))


def test_btrifact_btrisolve():
    LU, piv = fn("btrifact")(T("batch"))
    assert piv.dtype == torch.int32 and LU.shape == (2, 4, 4)
    x = fn("btrisolve")(T("rhs"), LU, piv)
    assert x.shape == (2, 4)
    for i in range(2):
        assert np.allclose(x[i].numpy(), np.linalg.solve(D["batch"][i], D["rhs"][i]))
    P, L, U = fn("btriunpack")(LU, piv)
    assert np.allclose(P.matmul(L).matmul(U).numpy(), D["batch"])


def test_symeig_eig_matrix_rank_chain_matmul():
    e, V = fn("symeig")(T("spd"), eigenvectors=True)
    assert np.allclose(e.numpy(), np.linalg.eigvalsh(D["spd"]))
    assert np.allclose(V.numpy().dot(np.diag(e.numpy())).dot(V.numpy().T), D["spd"])
    assert fn("symeig")(T("spd"))[1].abs().sum().item() == 0  # era 0.4: zeros, as torch 1.0.1
    ev, vecs = fn("eig")(T("nonsym"), eigenvectors=True)
    assert ev.shape == (3, 2)
    ref = np.linalg.eigvals(D["nonsym"])
    got = ev[:, 0].numpy() + 1j * ev[:, 1].numpy()
    assert np.allclose(np.sort_complex(got), np.sort_complex(ref))
    # complex pair (j, j+1): columns hold Re and Im of v_j, and A v = lambda v
    j = int(np.argmax(ev[:, 1].numpy() > 0))
    v = vecs[:, j].numpy() + 1j * vecs[:, j + 1].numpy()
    assert np.allclose(D["nonsym"].dot(v), got[j] * v)
    assert int(fn("matrix_rank")(T("lowrank"))) == 2 == np.linalg.matrix_rank(D["lowrank"])
    assert int(fn("matrix_rank")(T("lowrank"), 1e30)) == 0
    assert int(fn("matrix_rank")(T("spd"), None, True)) == 4
    a, b, c = T("A").t(), T("A"), T("b4")
    assert np.allclose(fn("chain_matmul")(a, b, c).numpy(), D["A"].T.dot(D["A"]).dot(D["b4"]))


def test_patch_adds_only_missing_or_removed():
    with legacy.patched():
        for name in (
            "gesv",
            "gels",
            "potrf",
            "potrs",
            "potri",
            "trtrs",
            "btrifact",
            "btrisolve",
            "symeig",
            "eig",
            "solve",
            "lstsq",
            "matrix_rank",
            "chain_matmul",
        ):
            assert hasattr(torch, name), name
            assert not legacy.is_removed_stub(getattr(torch, name)), name


_T10_SCRIPT = r"""
import json, sys, numpy as np, torch
D = {k: np.array(v) for k, v in json.loads(sys.stdin.read()).items()}
T = lambda k: torch.from_numpy(D[k].copy())
out = {}
out["gesv"] = [t.tolist() for t in torch.gesv(T("b4"), T("spd"))]
out["gels"] = [t.tolist() for t in torch.gels(T("b6"), T("A"))]
out["gels_wide"] = torch.gels(T("b3"), T("wide"))[0].tolist()
out["potrf"] = torch.potrf(T("spd")).tolist()
out["potrf_lower"] = torch.potrf(T("spd"), False).tolist()
out["potrs"] = torch.potrs(T("b4"), torch.potrf(T("spd"))).tolist()
out["potri"] = torch.potri(torch.potrf(T("spd"))).tolist()
out["trtrs"] = torch.trtrs(T("b4"), torch.from_numpy(np.triu(D["spd"])))[0].tolist()
LU, piv = torch.btrifact(T("batch"))
out["btrifact"] = [LU.tolist(), piv.tolist(), str(piv.dtype)]
out["btrisolve"] = torch.btrisolve(T("rhs"), LU, piv).tolist()
e, V = torch.symeig(T("spd"), eigenvectors=True)
out["symeig"] = [e.tolist(), V.tolist(), torch.symeig(T("spd"))[1].tolist()]
ev, vecs = torch.eig(T("nonsym"), eigenvectors=True)
out["eig"] = [ev.tolist(), vecs.tolist()]
out["matrix_rank"] = [int(torch.matrix_rank(T("lowrank"))), int(torch.matrix_rank(T("spd"), symmetric=True))]
print(json.dumps(out))
"""


@pytest.mark.skipif(
    not os.path.exists(T10) or torch.__version__.startswith("1.0"),
    reason="needs venv t1.0 (torch 1.0.1, tests/places.py) to compare with",
)
def test_same_results_as_torch_1_0_1():
    payload = json.dumps({k: v.tolist() for k, v in D.items()})
    proc = procs.run([T10, "-c", _T10_SCRIPT], input=payload.encode(), capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    ref = json.loads(proc.stdout.decode().strip().splitlines()[-1])

    def close(a, b, signs=False):
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        if signs:  # eigenvectors: equal up to the sign of each column
            s = np.sign((a * b).sum(0))
            b = b * np.where(s == 0, 1, s)
        assert a.shape == b.shape and np.allclose(a, b, atol=1e-8), (a, b)

    X, LU = fn("gesv")(T("b4"), T("spd"))
    close(ref["gesv"][0], X.numpy())
    close(ref["gesv"][1], LU.numpy())
    X, QR = fn("gels")(T("b6"), T("A"))
    close(ref["gels"][0], X.numpy())
    close(ref["gels"][1], QR.numpy())
    close(ref["gels_wide"], fn("gels")(T("b3"), T("wide"))[0].numpy())
    U = fn("potrf")(T("spd"))
    close(ref["potrf"], U.numpy())
    close(ref["potrf_lower"], fn("potrf")(T("spd"), False).numpy())
    close(ref["potrs"], fn("potrs")(T("b4"), U).numpy())
    close(ref["potri"], fn("potri")(U).numpy())
    close(ref["trtrs"], fn("trtrs")(T("b4"), torch.from_numpy(np.triu(D["spd"])))[0].numpy())
    LU, piv = fn("btrifact")(T("batch"))
    close(ref["btrifact"][0], LU.numpy())
    assert ref["btrifact"][1] == piv.tolist() and ref["btrifact"][2] == str(piv.dtype)
    close(ref["btrisolve"], fn("btrisolve")(T("rhs"), LU, piv).numpy())
    e, V = fn("symeig")(T("spd"), eigenvectors=True)
    close(ref["symeig"][0], e.numpy())
    close(ref["symeig"][1], V.numpy(), signs=True)
    close(ref["symeig"][2], fn("symeig")(T("spd"))[1].numpy())
    ev, vecs = fn("eig")(T("nonsym"), eigenvectors=True)
    close(ref["eig"][0], ev.numpy())
    close(ref["eig"][1], vecs.numpy(), signs=True)
    assert ref["matrix_rank"] == [int(fn("matrix_rank")(T("lowrank"))), int(fn("matrix_rank")(T("spd"), None, True))]
