import torch

A = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]])
Q, R = torch.linalg.qr(A)
print(Q.shape, R.shape, (Q.mm(R) - A).abs().max().item() < 1e-5)


def complete():
    return torch.linalg.qr(A, mode='complete')
