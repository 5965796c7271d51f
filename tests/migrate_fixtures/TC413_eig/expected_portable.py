import torch
import torchcompat as tc

A = torch.tensor([[0.0, -1.0], [1.0, 0.0]])
e, _ = tc.linalg.eig_legacy(A)
print(sorted(e[:, 1].tolist()))


def by_hand():
    return tc.linalg.eig_legacy(A, eigenvectors=True)
