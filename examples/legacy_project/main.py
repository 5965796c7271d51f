import argparse
import math

import torch
import torch.nn as nn
from torch.autograd import Variable

import generate
from lmproject.data import Corpus, batchify
from lmproject.model import RNNModel
from lmproject.utils import get_batch, repackage_hidden

parser = argparse.ArgumentParser(description="2017-style character language model")
parser.add_argument("--epochs", type=int, default=2)
parser.add_argument("--bptt", type=int, default=12)
parser.add_argument("--lr", type=float, default=2.0)
parser.add_argument("--save", type=str, default="model.pt")
parser.add_argument("--seed", type=int, default=1111)
args = parser.parse_args()

torch.manual_seed(args.seed)
corpus = Corpus()
train_data = batchify(corpus.ids, 8)
model = RNNModel(len(corpus))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)


def evaluate(data_source):
    model.eval()
    total_loss = 0
    hidden = model.init_hidden(data_source.size(1))
    hidden = tuple(Variable(h, volatile=True) for h in hidden)
    for i in range(0, data_source.size(0) - 1, args.bptt):
        data, targets = get_batch(data_source, i, args.bptt, evaluation=True)
        output, hidden = model(data, hidden)
        total_loss += len(data) * criterion(output.view(-1, len(corpus)), targets).data[0]
        hidden = repackage_hidden(hidden)
    return total_loss / len(data_source)


def train():
    model.train()
    total_loss = 0
    hidden = model.init_hidden(train_data.size(1))
    for batch, i in enumerate(range(0, train_data.size(0) - 1, args.bptt)):
        data, targets = get_batch(train_data, i, args.bptt)
        hidden = repackage_hidden(hidden)
        model.zero_grad()
        output, hidden = model(data, hidden)
        loss = criterion(output.view(-1, len(corpus)), targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm(model.parameters(), 0.25)
        optimizer.step()
        total_loss += loss.data[0]
    return total_loss / (batch + 1)


for epoch in range(1, args.epochs + 1):
    train_loss = train()
    val_loss = evaluate(train_data)
    print("| epoch %d | train loss %5.2f | valid loss %5.2f | ppl %8.2f" % (epoch, train_loss, val_loss, math.exp(val_loss)))

with open(args.save, "wb") as f:
    torch.save(model, f)

print("SAMPLE " + generate.sample(args.save, corpus, 40))
print("RESULT legacy_project %.4f" % val_loss)
