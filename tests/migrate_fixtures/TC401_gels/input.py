import torch

A = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]])
b = torch.tensor([[1.0], [2.0], [4.0]])
X, _ = torch.gels(b, A)
print(X[:2].reshape(-1).tolist())
print(torch.gels(b, A)[0][:2].reshape(-1).tolist())


def by_hand():
    X2, QR = torch.gels(b, A)
    return QR
