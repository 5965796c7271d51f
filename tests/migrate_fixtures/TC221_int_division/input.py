# torchcompat: source-version 1.6 (the era the code was written for: see migrate/README.md)
import torch
import torch.nn.functional as F

HALF = 3
community = torch.arange(0, 6).long() / HALF
centers = torch.tensor([[0.0, 0.0], [1.0, 1.0]])
points = centers[community]
labels = torch.tensor([0, 1, 2, 3])
coarse = labels / 2
loss = F.cross_entropy(torch.zeros(4, 2), coarse)
mean = torch.tensor([1.0, 2.0]) / 2


def unclear(n):
    return 7 / torch.LongTensor([n])


print(community.tolist(), points.shape, round(float(loss), 4), mean.tolist())
