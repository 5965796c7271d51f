import torch
from torch.autograd import Variable

from lmproject.data import Corpus, batchify
from lmproject.embed_regularize import embedded_dropout
from lmproject.model import RNNModel
from lmproject.utils import get_batch, repackage_hidden


def test_batchify_shape():
    data = batchify(torch.arange(0, 20).long(), 4)
    assert data.size() == (5, 4)


def test_repackage_hidden_detaches():
    h = Variable(torch.ones(1, 2, 3), requires_grad=True) * 2
    c = Variable(torch.ones(1, 2, 3), requires_grad=True) * 3
    new_h, new_c = repackage_hidden((h, c))
    assert new_h.grad_fn is None and new_c.grad_fn is None
    assert new_h.data.sum() == 12 and new_c.data.sum() == 18


def test_embedded_dropout_without_dropout_is_the_embedding():
    torch.manual_seed(0)
    embed = torch.nn.Embedding(10, 4)
    words = Variable(torch.LongTensor([[1, 2], [3, 4]]))
    out = embedded_dropout(embed, words, dropout=0)
    assert (out.data - embed(words).data).abs().max() == 0


def test_one_training_step_lowers_the_loss():
    torch.manual_seed(0)
    corpus = Corpus()
    data = batchify(corpus.ids, 4)
    model = RNNModel(len(corpus), dropoute=0)
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    losses = []
    for _ in range(5):
        hidden = model.init_hidden(4)
        inputs, targets = get_batch(data, 0, 10)
        output, hidden = model(inputs, hidden)
        loss = criterion(output.view(-1, len(corpus)), targets)
        model.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.data[0])
    assert losses[-1] < losses[0]
