"""rnn_sentiment_03.py migrated by hand to today's API (the baseline of benchmarks/legacy_overhead.py).

Plain tensors instead of Variables, loss.item(), explicit dim=, torch.no_grad() for evaluation.
"""

import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

parser = argparse.ArgumentParser()
parser.add_argument('--steps', type=int, default=120)
parser.add_argument('--seed', type=int, default=1)
args = parser.parse_args()

torch.manual_seed(args.seed)
np.random.seed(args.seed)

VOCAB, EMB, HIDDEN, LAYERS = 20, 8, 16, 2
SEQ_LEN, BATCH = 12, 32

pretrained = np.random.randn(VOCAB, EMB).astype(np.float32) * 0.3
pretrained[:10, 0] += 1.0
pretrained[10:, 0] -= 1.0


def make_batch(n):
    tokens = np.random.randint(0, VOCAB, size=(SEQ_LEN, n))
    labels = ((tokens < 10).sum(0) > SEQ_LEN / 2).astype(np.int64)
    return torch.from_numpy(tokens), torch.from_numpy(labels)


class RNNClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, EMB)
        with torch.no_grad():
            self.embed.weight.copy_(torch.from_numpy(pretrained))
        self.rnn = nn.RNN(EMB, HIDDEN, num_layers=LAYERS, bidirectional=True)
        self.out = nn.Linear(2 * HIDDEN, 2)

    def init_hidden(self, batch):
        return torch.zeros(LAYERS * 2, batch, HIDDEN)

    def forward(self, tokens, h0):
        output, hn = self.rnn(self.embed(tokens), h0)
        return F.log_softmax(self.out(output[-1]), dim=1)


model = RNNClassifier()
optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

for step in range(args.steps):
    tokens, labels = make_batch(BATCH)
    optimizer.zero_grad()
    loss = F.nll_loss(model(tokens, model.init_hidden(BATCH)), labels)
    loss.backward()
    optimizer.step()
    if step % 40 == 0:
        print('step %3d  loss %.4f' % (step, loss.item()))

tokens, labels = make_batch(500)
with torch.no_grad():
    scores = model(tokens, model.init_hidden(500))
predicted = scores.argmax(1)
accuracy = predicted.eq(labels).float().mean().item()
print('RESULT rnn_sentiment_modern %.4f' % accuracy)
