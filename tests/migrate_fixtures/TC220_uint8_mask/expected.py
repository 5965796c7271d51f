# torchcompat: source-version 1.1 (the era the code was written for: see migrate/README.md)
import torch

x = torch.arange(0, 6).float().view(2, 3)
diagonal = torch.eye(3).byte()
border = torch.ByteTensor(2, 3).fill_(0)
border[0] = 1
y = x.masked_fill(border.bool(), -1.0)
z = x[:, :3].clone()
z.masked_fill_(diagonal[:2].bool(), 0)
picked = x[border.bool()]
inverse = x.masked_fill((1 - border).bool(), 2.0)  # a BinOp mask: parenthesised before .bool()
ok = x.masked_fill(x > 2, 0.0)


def pool(emb, mask):
    return emb.masked_fill((1 - mask).unsqueeze(0).bool(), 0.0)


print(y.reshape(-1).tolist(), z.reshape(-1).tolist(), picked.tolist(), pool(x, border[0]).tolist())
