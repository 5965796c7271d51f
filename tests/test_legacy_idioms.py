"""Idioms of 2017 projects under ``torchcompat.legacy``: ``type(h) == Variable`` (repackage_hidden), 0.3's
``module._backend.Embedding.apply(...)`` (AWD-LSTM embedding dropout), ``pack_padded_sequence`` with lengths on the
GPU, and ``torch.onnx.export`` without ``dynamo=``. Each on the running torch, exact under ``unpatch()``, and on torch
1.0.1 in a subprocess where that venv exists.

What 0.3 did: Parameter subclassed Variable and ``type(t)`` of an autograd value was Variable (0.4.0 migration guide,
"type() of a Tensor no longer reflects the data type" and the Variable/Tensor merge). 0.3's ``_backend.Embedding``
is the Function of torch/nn/_functions/thnn/sparse.py (pytorch/pytorch, 0.3 era): its padding_idx is compared with the
index values (``indices != padding_idx`` in the sparse backward, THNN's paddingValue in the dense one), so -1 never
matches and means "no padding row", where ``F.embedding(padding_idx=-1)`` means the last row.
"""

# ruff: noqa: E721 - type(x) == Variable is the 0.3 idiom under test
from __future__ import annotations

import io
import os
import sys
import textwrap
import warnings

import pytest
import torch
import torch.nn.functional as F

from tests import places, procs
from torchcompat import legacy
from torchcompat.legacy.restores import export as export_restores
from torchcompat.probe import TorchEnv
from torchcompat.version import at_least

T10 = places.T10_PYTHON

pytestmark = pytest.mark.filterwarnings("ignore::torchcompat.legacy.RestoredWarning")


# -- type(h) == Variable -----------------------------------------------------------------------------


def test_type_equals_variable_for_tensors_not_parameters(era03):
    from torch.autograd import Variable

    t, p = torch.zeros(2), torch.nn.Parameter(torch.zeros(1))
    assert "variable-type" in era03
    assert type(t) == Variable and not (type(t) != Variable) and Variable == type(t)
    assert type(p) != Variable and not (type(p) == Variable)  # Parameter subclassed Variable in 0.3
    assert isinstance(t, Variable) and isinstance(p, Variable)
    assert type(t) in (Variable,)
    assert hash(Variable) == hash(torch.Tensor)  # equal classes hash alike
    assert Variable != int and not (Variable == int)


def test_type_equals_variable_only_in_era_03_and_undone_exactly():
    from torch.autograd import Variable

    meta = type(Variable)
    before = dict(vars(meta))
    legacy.unpatch()
    try:
        assert "variable-type" not in legacy.patch(era="0.4")  # 0.4: type(t) was torch.Tensor already
        legacy.unpatch()
        legacy.patch(era="0.3")
        assert type(torch.zeros(1)) == Variable
    finally:
        legacy.unpatch()
    assert dict(vars(meta)) == before
    assert type(torch.zeros(1)) != Variable and hash(Variable) != hash(torch.Tensor)


_REPACKAGE = textwrap.dedent(
    """
    # repackage_hidden of a 2017 word-level language model (pytorch/examples idiom, 0.3)
    import torch
    import torch.nn as nn
    from torch.autograd import Variable

    def repackage_hidden(h):
        if type(h) == Variable:
            return Variable(h.data)
        else:
            return tuple(repackage_hidden(v) for v in h)

    torch.manual_seed(0)
    rnn = nn.LSTM(4, 5, 1)
    hidden = (Variable(torch.zeros(1, 2, 5)), Variable(torch.zeros(1, 2, 5)))
    total = 0.0
    for step in range(3):
        hidden = repackage_hidden(hidden)
        out, hidden = rnn(Variable(torch.randn(6, 2, 4)), hidden)
        loss = out.pow(2).mean()
        loss.backward()
        total += loss.data[0]
        assert hidden[0].grad_fn is not None
    print("RESULT repackage %d %.4f" % (len(hidden), total))
    """
)


def _run(script, tmp_path, *options):
    path = tmp_path / "snippet.py"
    path.write_text(script)
    cmd = [sys.executable, "-m", "torchcompat", "run"] + list(options) + [str(path)]
    return procs.run(cmd, capture_output=True, timeout=300, cwd=str(tmp_path))


def test_repackage_hidden_under_torchcompat_run(tmp_path):
    done = _run(_REPACKAGE, tmp_path, "--era", "0.3")
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert "RESULT repackage 2 " in done.stdout.decode()
    plain = procs.run([sys.executable, str(tmp_path / "snippet.py")], capture_output=True, timeout=300)
    assert plain.returncode != 0  # recurses into a 0-d tensor today


# -- module._backend ---------------------------------------------------------------------------------


def test_backend_embedding_keeps_0_3_padding_meaning(era03):
    torch.manual_seed(0)
    embed = torch.nn.Embedding(5, 3)
    words = torch.tensor([[0, 4], [4, 2]])
    assert "module-backend" in era03

    weight = embed.weight * 1.0  # a non-leaf, as embedded_dropout's masked weight
    out = embed._backend.Embedding.apply(words, weight, -1, None, 2, False, False)
    assert torch.equal(out, F.embedding(words, weight))
    out.sum().backward()
    assert embed.weight.grad[4].abs().sum() > 0  # -1 meant "no padding row": the last row is trained
    embed.weight.grad = None
    embed._backend.Embedding.apply(words, embed.weight, 4, None, 2, False, False).sum().backward()
    assert embed.weight.grad[4].abs().sum() == 0 and embed.weight.grad[0].abs().sum() > 0
    # max_norm renormalises the rows used, in place, as 0.3 did
    w = torch.randn(5, 3) * 10
    expected = w.clone()
    F.embedding(words, expected, max_norm=1.0)
    embed._backend.Embedding.apply(words, w, -1, 1.0, 2, False, False)
    assert torch.allclose(w, expected)
    with pytest.raises((NotImplementedError, AttributeError)):
        _ = embed._backend.SpatialConvolution


def test_backend_dropout(era03):
    x = torch.ones(4, 6)
    module = torch.nn.Linear(1, 1)
    assert torch.equal(module._backend.Dropout.apply(x, 0.5, False, False), x)
    torch.manual_seed(1)
    y = module._backend.Dropout.apply(x, 0.5, True, False)
    assert set(y.unique().tolist()) <= {0.0, 2.0}
    z = module._backend.Dropout2d.apply(torch.ones(2, 8, 3, 3), 0.5, True, False)
    per_channel = z.view(2, 8, -1)
    assert torch.equal(per_channel.max(2)[0], per_channel.min(2)[0])  # whole channels


def test_module_backend_is_removed_by_unpatch():
    had = hasattr(torch.nn.Module, "_backend")
    legacy.patch(era="0.3")
    assert hasattr(torch.nn.Linear(1, 1), "_backend")
    legacy.unpatch()
    assert hasattr(torch.nn.Module, "_backend") == had


_EMBEDDED_DROPOUT = textwrap.dedent(
    """
    # embedded_dropout of 2017 AWD-LSTM-style code: the masked weight goes through the THNN backend's Embedding
    import torch
    import torch.nn as nn
    from torch.autograd import Variable

    def embedded_dropout(embed, words, dropout=0.1, scale=None):
        if dropout:
            mask = embed.weight.data.new().resize_((embed.weight.size(0), 1)).bernoulli_(1 - dropout)
            mask = Variable(mask.expand_as(embed.weight) / (1 - dropout))
            masked_embed_weight = mask * embed.weight
        else:
            masked_embed_weight = embed.weight
        padding_idx = embed.padding_idx
        if padding_idx is None:
            padding_idx = -1
        return embed._backend.Embedding.apply(words, masked_embed_weight, padding_idx, embed.max_norm,
                                              embed.norm_type, embed.scale_grad_by_freq, embed.sparse)

    torch.manual_seed(0)
    embed = nn.Embedding(10, 4)
    words = Variable(torch.LongTensor([[1, 9], [9, 3]]))
    out = embedded_dropout(embed, words, dropout=0.0)
    out.sum().backward()
    print("RESULT embedded_dropout %s %d" % (tuple(out.size()), int(embed.weight.grad[9].abs().sum() > 0)))
    """
)


def test_embedded_dropout_under_torchcompat_run(tmp_path):
    done = _run(_EMBEDDED_DROPOUT, tmp_path, "--era", "0.3")
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert "RESULT embedded_dropout (2, 2, 4) 1" in done.stdout.decode()  # row 9 (the last) is not padding


# -- pack_padded_sequence, onnx.export ---------------------------------------------------------------


def test_pack_padded_sequence_passes_cpu_lengths_through(era03):
    from torch.nn.utils.rnn import pack_padded_sequence

    x = torch.randn(3, 2, 4)
    packed = pack_padded_sequence(x, torch.tensor([3, 2]))
    assert packed.batch_sizes.tolist() == [2, 2, 1]
    # needed from 1.7 on, where torch began refusing lengths on the GPU; older torch copied them itself
    assert ("packed-cpu-lengths" in era03) == at_least("1.7")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device for lengths on the GPU")
def test_pack_padded_sequence_with_cuda_lengths(era03):  # pragma: no cover - GPU machines only
    from torch.nn.utils.rnn import pack_padded_sequence

    x = torch.randn(3, 2, 4, device="cuda")
    packed = pack_padded_sequence(x, torch.tensor([3, 2], device="cuda"))
    assert packed.batch_sizes.tolist() == [2, 2, 1]


def test_pack_padded_sequence_identity_after_unpatch():
    fn = torch.nn.utils.rnn.pack_padded_sequence
    legacy.patch(era="0.3")
    legacy.unpatch()
    assert torch.nn.utils.rnn.pack_padded_sequence is fn


def test_onnx_export_without_dynamo_gets_the_torchscript_exporter():
    calls = []

    def export(*args, **kwargs):
        calls.append(kwargs)

    wrapper = export_restores._onnx_export(TorchEnv.of(torch), "0.3", export)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wrapper(torch.nn.Linear(1, 1), (torch.zeros(1, 1),), io.BytesIO())
        wrapper(torch.nn.Linear(1, 1), (torch.zeros(1, 1),), io.BytesIO(), dynamo=True)
    assert calls == [{"dynamo": False}, {"dynamo": True}]
    needed = export_restores._dynamo_is_default(TorchEnv.of(torch))
    import inspect

    param = inspect.signature(torch.onnx.export).parameters.get("dynamo")
    assert needed == (param is not None and param.default is True)


_OLD_TORCH_SCRIPT = textwrap.dedent(
    """
    import warnings
    import torch
    from torch.autograd import Variable
    from torchcompat import legacy

    embed = torch.nn.Embedding(5, 3)
    words = torch.tensor([[0, 4]])
    try:
        embed._backend.Embedding
        print("before ok")
    except NotImplementedError:
        print("before NotImplementedError")
    print("type before", type(torch.zeros(1)) == Variable)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        legacy.patch(era="0.3")
        out = embed._backend.Embedding.apply(words, embed.weight, -1, None, 2, False, False)
        out.sum().backward()
        print("after", tuple(out.shape), bool(embed.weight.grad[4].abs().sum() > 0),
              type(torch.zeros(1)) == Variable, type(torch.nn.Parameter(torch.zeros(1))) == Variable)
    legacy.unpatch()
    try:
        embed._backend.Embedding
    except NotImplementedError:
        print("undone")
    """
)


@pytest.mark.skipif(not os.path.exists(T10), reason="torch 1.0.1 venv absent")
def test_on_torch_1_0(tmp_path):
    script = tmp_path / "old.py"
    script.write_text(_OLD_TORCH_SCRIPT)
    done = procs.run([T10, str(script)], capture_output=True, timeout=300)
    out = done.stdout.decode()
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert "before NotImplementedError" in out  # 1.0.1 kept _backend but no longer had Embedding
    assert "type before False" in out
    assert "after (1, 2, 3) True True False" in out
    assert "undone" in out


AWD_2017 = places.cached("awd-lstm-lm-2017")  # salesforce/awd-lstm-lm at a3020a7 (2017-09-01), see its SOURCE file

_AWD_DRIVER = textwrap.dedent(
    """
    import torch
    from torch.autograd import Variable
    import model
    from utils import repackage_hidden

    torch.manual_seed(0)
    m = model.RNNModel("LSTM", 20, 8, 8, 2, dropout=0.1, dropouth=0.1, dropouti=0.1, dropoute=0.1, wdrop=0.2)
    hidden = m.init_hidden(3)
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(m.parameters(), lr=0.1)
    data = Variable(torch.LongTensor(6, 3).random_(0, 20))
    total = 0
    for step in range(3):
        hidden = repackage_hidden(hidden)
        optimizer.zero_grad()
        output, hidden = m(data, hidden)
        loss = criterion(output.view(-1, 20), data.view(-1))
        loss.backward()
        optimizer.step()
        total += loss.data
    print("RESULT awd %.4f" % total[0])
    """
)


@pytest.mark.skipif(
    not os.path.isdir(AWD_2017), reason="the 2017 AWD-LSTM sources are not in the cache (tests/places.py)"
)
def test_real_2017_awd_lstm_under_torchcompat_run(tmp_path):
    """The 2017 AWD-LSTM (embedded_dropout through _backend.Embedding, repackage_hidden with type(h) == Variable,
    WeightDrop) trains three steps unmodified; its files are copied from the cache, never kept in this repository."""
    import shutil

    for name in os.listdir(AWD_2017):
        if name.endswith(".py"):
            shutil.copy(os.path.join(AWD_2017, name), str(tmp_path / name))
    done = _run(_AWD_DRIVER, tmp_path, "--era", "0.3", "--explain")
    out, err = done.stdout.decode(), done.stderr.decode()
    assert done.returncode == 0, err[-3000:]
    assert "RESULT awd " in out
    assert "variable-type" in out + err and "module-backend" in out + err
