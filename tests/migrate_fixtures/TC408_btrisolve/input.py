import torch

A = torch.tensor([[[4.0, 1.0], [1.0, 3.0]], [[2.0, 1.0], [1.0, 5.0]]])
b = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
lu, piv = torch.btrifact(A)
x = torch.btrisolve(b, lu, piv)
print(x.reshape(-1).tolist())
