"""0.3 "scalars" under ``torchcompat.legacy.patch(era="0.3")``: where a 0-dim result of today's torch raises in code
written for 0.3's one-element results, the restores treat it as shape ``(1,)``; everywhere else torch's own objects
run, and ``unpatch()`` puts the identical objects back.

What 0.3 did (documented, not emulated): the 0.4.0 migration guide
(https://pytorch.org/blog/pytorch-0_4_0-migration-guide/, "Support for 0-dimensional (scalar) Tensors") says that
before 0.4 "indexing into a Variable vector gave (incongruously!) a vector of size (1,)" and that "variable.sum()
would return a vector of size (1,)"; losses were such reductions. So 0.3's ``torch.cat([v.sum(), w.sum()])`` was the
``cat`` of two ``(1,)`` tensors, its ``loss.data.numpy()[0]`` the element of a ``(1,)`` array, its
``criterion(out, labels[i])`` a call with a ``(1,)`` target: each expectation below is that computation done with
explicit ``(1,)`` tensors on the running torch.
"""

from __future__ import annotations

import os
import pickle
import sys
import textwrap

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tests import places, procs
from torchcompat import legacy
from torchcompat.legacy import engine

T10 = places.T10_PYTHON

pytestmark = pytest.mark.filterwarnings("ignore::torchcompat.legacy.RestoredWarning")


def _raises(fn):
    try:
        fn()
    except (RuntimeError, ValueError, IndexError, TypeError):
        return True
    return False


def test_the_restores_apply_to_era_03_only():
    legacy.unpatch()
    try:
        names = legacy.patch(era="0.4")
        assert not [n for n in names if n.startswith("scalar-")]
    finally:
        legacy.unpatch()


def test_cat_of_zero_dim_results(era03):
    a, b = torch.tensor(1.5), torch.tensor(-2.0)
    assert "scalar-cat" in era03
    # 0.3: cat of two (1,) results
    assert torch.equal(torch.cat([a, b]), torch.cat([a.view(1), b.view(1)]))
    mixed = torch.cat([a, torch.ones(2)], 0)
    assert torch.equal(mixed, torch.tensor([1.5, 1.0, 1.0]))
    assert torch.equal(torch.stack([a.view(1), b]), torch.stack([a.view(1), b.view(1)]))
    # untouched where torch works, and torch's own error where 0.3 failed too
    assert torch.stack([a, b]).shape == (2,)
    with pytest.raises(RuntimeError):
        torch.cat([a, torch.ones(2, 2)])


def test_cat_keeps_the_graph(era03):
    w = torch.ones(2, requires_grad=True)
    torch.cat([w.sum(), (w * 2).sum()]).sum().backward()
    assert torch.equal(w.grad, torch.full((2,), 3.0))


def test_cat_is_torch_s_own_after_unpatch():
    cat, stack = torch.cat, torch.stack
    legacy.patch(era="0.3")
    patched_cat = torch.cat
    legacy.unpatch()
    assert patched_cat is not cat
    assert torch.cat is cat and torch.stack is stack
    assert _raises(lambda: torch.cat([torch.tensor(1.0), torch.tensor(2.0)]))


def test_zero_dim_target_with_a_batch_of_one(era03):
    torch.manual_seed(0)
    out = torch.randn(1, 4, requires_grad=True)
    label = torch.tensor([0, 3, 1])[1]  # iterating / indexing labels: 0-dim since 0.4, (1,) in 0.3
    expected = F.cross_entropy(out, label.view(1))
    assert torch.equal(F.cross_entropy(out, label), expected)
    assert torch.equal(torch.nn.CrossEntropyLoss()(out, label), expected)
    logp = F.log_softmax(out, 1)
    assert torch.equal(F.nll_loss(logp, label), F.nll_loss(logp, label.view(1)))
    assert torch.equal(torch.nn.NLLLoss()(logp, label), F.nll_loss(logp, label.view(1)))
    F.cross_entropy(out, label).backward()
    assert out.grad is not None
    # a batch of two with a 0-dim target was an error in 0.3 as well
    assert _raises(lambda: F.cross_entropy(torch.randn(2, 4), label))


def test_numpy_index_0_of_a_zero_dim_result(era03):
    loss = torch.tensor(0.25)
    arr = loss.numpy()
    plain = np.asarray(0.25, dtype=np.float32)
    assert arr[0] == plain[()] and type(arr[0]) is type(plain[()])  # 0.3: element of a (1,) array
    assert arr[-1] == 0.25
    assert loss.cpu().numpy()[0] == 0.25
    with pytest.raises(IndexError):
        arr[1]
    # otherwise a plain 0-d array: same repr, NumPy scalars from ufuncs, pickles as a plain array
    assert repr(arr) == repr(plain) and str(arr) == str(plain)
    assert type(arr + 1) is type(plain + 1) and type(np.exp(arr)) is type(np.exp(plain))
    assert type(pickle.loads(pickle.dumps(arr))) is np.ndarray
    assert float(arr) == 0.25 and arr.item() == 0.25
    # arrays of tensors that are not 0-dim are torch's own
    assert type(torch.ones(2).numpy()) is np.ndarray


def test_total_loss_index_0_is_the_existing_data_index_restore(era03):
    total = 0
    for value in (0.5, 1.25):
        total += torch.tensor(value)  # 0.3: += loss.data, a (1,) tensor
    assert "data-index-0" in era03
    assert total[0] == 1.75 and isinstance(total[0], float)


def test_len_and_iteration_of_a_zero_dim_result(era03):
    s = torch.tensor(3.0)
    assert len(s) == 1
    items = list(s)
    assert len(items) == 1 and items[0] is s
    # 0.3's torch/autograd/variable.py: __len__ was len(self.data), __iter__ was
    # iter(imap(lambda i: self[i], range(self.size(0)))), and v[i] of a 1-D Variable had shape (1,) (migration guide).
    # For the (1,) value that s stands for, that is one element equal to s, with s's shape in today's terms.
    v = s.view(1)
    old = [v[i : i + 1] for i in range(v.size(0))]  # 0.3's self[i] on a Variable: shape (1,)
    assert len(old) == len(s) and all(torch.equal(a.view(()), b) for a, b in zip(old, items))
    assert len(torch.ones(2)) == 2 and [float(x) for x in torch.ones(2)] == [1.0, 1.0]
    # constructors that take lists of 0-dim tensors are unaffected
    assert torch.equal(torch.tensor([s, s]), torch.tensor([3.0, 3.0]))
    assert torch.equal(torch.LongTensor([torch.tensor(4)]), torch.tensor([4]))
    assert np.array([s, s]).tolist() == [3.0, 3.0]


def test_unpatch_restores_the_identical_tensor_methods():
    names = ("__len__", "__iter__", "numpy")
    before = {n: vars(torch.Tensor).get(n) for n in names}
    ce, nll = F.cross_entropy, F.nll_loss
    legacy.patch(era="0.3")
    assert vars(torch.Tensor).get("numpy") is not None
    legacy.unpatch()
    assert {n: vars(torch.Tensor).get(n) for n in names} == before
    assert F.cross_entropy is ce and F.nll_loss is nll
    assert _raises(lambda: len(torch.tensor(1.0)))
    assert type(torch.tensor(1.0).numpy()) is np.ndarray


def test_third_party_callers_get_torch_s_behaviour(era03, tmp_path):
    engine.set_project([str(tmp_path)])  # this test file is not project code
    try:
        assert _raises(lambda: torch.cat([torch.tensor(1.0), torch.tensor(2.0)]))
        assert _raises(lambda: len(torch.tensor(1.0)))
        assert type(torch.tensor(1.0).numpy()) is np.ndarray
    finally:
        engine.set_project(None)


_OLD_TORCH_SCRIPT = textwrap.dedent(
    """
    import warnings
    import torch, torch.nn.functional as F
    from torchcompat import legacy

    def raises(fn):
        try:
            fn()
        except Exception:
            return True
        return False

    s = torch.tensor(2.0)
    out = torch.randn(1, 3)
    label = torch.tensor([0, 2])[1]
    print("before", raises(lambda: torch.cat([s, s])), raises(lambda: F.cross_entropy(out, label)),
          raises(lambda: s.numpy()[0]), raises(lambda: len(s)))
    cat = torch.cat
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        legacy.patch(era="0.3")
        print("after", torch.cat([s, s]).tolist(), bool(F.cross_entropy(out, label) == F.cross_entropy(out, label.view(1))),
              float(s.numpy()[0]), len(s))
    legacy.unpatch()
    print("identical", torch.cat is cat)
    """
)


@pytest.mark.skipif(not os.path.exists(T10), reason="torch 1.0.1 venv absent")
def test_on_torch_1_0(tmp_path):
    script = tmp_path / "old.py"
    script.write_text(_OLD_TORCH_SCRIPT)
    done = procs.run([T10, str(script)], capture_output=True, timeout=300)
    out = done.stdout.decode()
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert "before True True True True" in out  # 1.0.1 raises on each, as today's torch does
    assert "after [2.0, 2.0] True 2.0 1" in out
    assert "identical True" in out


_CRF = textwrap.dedent(
    """
    # The forward algorithm of a 2017 BiLSTM-CRF (the 0.3 tutorial's idiom): alphas collected from log_sum_exp,
    # each a (1,) Variable in 0.3, joined with torch.cat.
    import torch
    from torch.autograd import Variable

    def log_sum_exp(vec):
        max_score = vec[0, int(torch.max(vec, 1)[1])]
        return max_score + torch.log(torch.sum(torch.exp(vec - max_score.view(1, -1).expand(1, vec.size(1)))))

    torch.manual_seed(0)
    tags = 3
    transitions = Variable(torch.randn(tags, tags))
    feats = Variable(torch.randn(4, tags))
    forward_var = Variable(torch.zeros(1, tags))
    for feat in feats:
        alphas_t = []
        for next_tag in range(tags):
            emit = feat[next_tag].view(1, -1).expand(1, tags)
            alphas_t.append(log_sum_exp(forward_var + transitions[next_tag].view(1, -1) + emit))
        forward_var = torch.cat(alphas_t).view(1, -1)
    alpha = log_sum_exp(forward_var)
    print("RESULT crf %.5f" % float(alpha))
    print("CHECK %.5f" % float(torch.logsumexp(forward_var, 1)))
    """
)


def test_crf_forward_algorithm_under_torchcompat_run(tmp_path):
    script = tmp_path / "crf.py"
    script.write_text(_CRF)
    cmd = [sys.executable, "-m", "torchcompat", "run", "--era", "0.3", str(script)]
    done = procs.run(cmd, capture_output=True, timeout=300, cwd=str(tmp_path))
    out = done.stdout.decode()
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    result = [line.split()[-1] for line in out.splitlines() if line.startswith(("RESULT", "CHECK"))]
    assert len(result) == 2 and result[0] == result[1]
    plain = procs.run([sys.executable, str(script)], capture_output=True, timeout=300)
    assert plain.returncode != 0 and b"zero-dimensional tensor" in plain.stderr


CRF_2017 = places.cached("bilstm-crf-2017")  # a 2017 BiLSTM-CRF on the 0.3 tutorial's model, see its SOURCE file

_CRF_DRIVER = textwrap.dedent(
    """
    import torch
    from torch.autograd import Variable
    import crf_model

    crf_model.START_TAG, crf_model.STOP_TAG = "<START>", "<STOP>"
    tag_to_ix = {"B": 0, "I": 1, "O": 2, "<START>": 3, "<STOP>": 4}
    model = crf_model.BiLSTM_CRF(10, tag_to_ix, 5, 4)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, weight_decay=1e-4)
    sentence = Variable(torch.LongTensor([1, 2, 3, 4]))
    tags = torch.LongTensor([0, 1, 0, 1])
    for epoch in range(3):
        model.zero_grad()
        nll = model.neg_log_likelihood(sentence, tags)
        nll.backward()
        optimizer.step()
    score, path = model(sentence)
    print("RESULT crf %s %d" % (tuple(nll.size()), len(path)))
    """
)


@pytest.mark.skipif(
    not os.path.isdir(CRF_2017), reason="the 2017 BiLSTM-CRF source is not in the cache (tests/places.py)"
)
def test_real_2017_bilstm_crf_under_torchcompat_run(tmp_path):
    """Its forward algorithm and Viterbi decoding torch.cat lists of log_sum_exp / indexed values, (1,) in 0.3 and
    0-dim today. The model file is copied from the cache (never kept in this repository); its data module is a stub."""
    import shutil

    shutil.copy(os.path.join(CRF_2017, "crf_model.py"), str(tmp_path / "crf_model.py"))
    (tmp_path / "utils_dataset.py").write_text("# stub: the real module reads a corpus\n")
    (tmp_path / "drive.py").write_text(_CRF_DRIVER)
    cmd = [sys.executable, "-m", "torchcompat", "run", "--era", "0.3", "drive.py"]
    done = procs.run(cmd, capture_output=True, timeout=300, cwd=str(tmp_path))
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert "RESULT crf (1,) 4" in done.stdout.decode()
    plain = procs.run([sys.executable, "drive.py"], capture_output=True, timeout=300, cwd=str(tmp_path))
    assert plain.returncode != 0 and b"zero-dimensional tensor" in plain.stderr
