# torchcompat: source-version 0.4 (the era the code was written for: see migrate/README.md)
import torch
import torchcompat as tc
import torch.nn.functional as F

loss = torch.ones(()) * 2
total = 0.0
total += tc.item(loss)
print("loss %.3f" % tc.item(loss))
value = tc.item(loss * 2)
shape = dataset.data[0].shape
first = images.data[0][1]
loss.data[0] = 3


# accumulators of 0-dim losses (the 2017 word_language_model's evaluate/train)
criterion = torch.nn.CrossEntropyLoss()
per_item = torch.nn.CrossEntropyLoss(reduction="none")


def evaluate(batches):
    total_loss = 0
    for data, targets in batches:
        total_loss += len(data) * criterion(data, targets).data
    return tc.item(total_loss) / len(batches)


def train(batches, model):
    total_loss = 0
    for step, (data, targets) in enumerate(batches):
        loss = F.nll_loss(model(data), targets)
        total_loss += loss.data
        if step % 10 == 0:
            print(tc.item(total_loss) / 10)
            total_loss = 0
    mean = 0.0
    for data, _ in batches:
        mean += data.sum().data
    return tc.item(mean)


def left_alone(batches, weights):
    kept = 0
    for data, targets in batches:
        kept += per_item(data, targets).data  # not reduced: not 0-dim
    other = 0
    for w in weights:
        other += w.data  # not known to be 0-dim
    many = weights.data
    return kept[0], other[0], many[0][0]
