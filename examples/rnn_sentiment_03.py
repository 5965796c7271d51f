"""Sequence classification with an RNN, written the way every PyTorch 0.3 tutorial taught it (2017).

Run it unmodified on today's torch:

    torchcompat run examples/rnn_sentiment_03.py

Variables everywhere, an nn.Embedding loaded from "pretrained" vectors, a 2-layer bidirectional
nn.RNN fed (seq_len, batch, input_size) with h0 of (num_layers * num_directions, batch, hidden),
SGD with zero_grad / backward / step, loss.data[0], and a volatile=True evaluation.
"""
from __future__ import print_function

import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.autograd import Variable

parser = argparse.ArgumentParser()
parser.add_argument('--steps', type=int, default=120)
parser.add_argument('--seed', type=int, default=1)
args = parser.parse_args()

torch.manual_seed(args.seed)
np.random.seed(args.seed)

VOCAB, EMB, HIDDEN, LAYERS = 20, 8, 16, 2
SEQ_LEN, BATCH = 12, 32

# "pretrained" word vectors, as if read from a GloVe file: words 0-9 lean positive, 10-19 negative
pretrained = np.random.randn(VOCAB, EMB).astype(np.float32) * 0.3
pretrained[:10, 0] += 1.0
pretrained[10:, 0] -= 1.0


def make_batch(n):
    tokens = np.random.randint(0, VOCAB, size=(SEQ_LEN, n))
    labels = ((tokens < 10).sum(0) > SEQ_LEN / 2).astype(np.int64)
    return torch.from_numpy(tokens), torch.from_numpy(labels)


class RNNClassifier(nn.Module):
    def __init__(self):
        super(RNNClassifier, self).__init__()
        self.embed = nn.Embedding(VOCAB, EMB)
        self.embed.weight.data.copy_(torch.from_numpy(pretrained))
        self.rnn = nn.RNN(EMB, HIDDEN, num_layers=LAYERS, bidirectional=True)
        self.out = nn.Linear(2 * HIDDEN, 2)

    def init_hidden(self, batch, volatile=False):
        return Variable(torch.zeros(LAYERS * 2, batch, HIDDEN), volatile=volatile)

    def forward(self, tokens, h0):
        emb = self.embed(tokens)                    # (seq_len, batch, EMB)
        output, hn = self.rnn(emb, h0)              # (seq_len, batch, 2 * HIDDEN)
        return F.log_softmax(self.out(output[-1]))  # 0.3: no dim


model = RNNClassifier()
optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

for step in range(args.steps):
    tokens, labels = make_batch(BATCH)
    tokens, labels = Variable(tokens), Variable(labels)
    optimizer.zero_grad()
    loss = F.nll_loss(model(tokens, model.init_hidden(BATCH)), labels)
    loss.backward()
    optimizer.step()
    if step % 40 == 0:
        print('step %3d  loss %.4f' % (step, loss.data[0]))

tokens, labels = make_batch(500)
scores = model(Variable(tokens, volatile=True), model.init_hidden(500, volatile=True))
predicted = scores.data.max(1)[1]
accuracy = float(predicted.eq(labels).sum()) / labels.size(0)
print('RESULT rnn_sentiment_03 %.4f' % accuracy)
