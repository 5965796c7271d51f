# torchcompat: source-version 1.13 (the era the code was written for: see migrate/README.md)
from torch.utils.data import DataLoader

a = DataLoader(ds, batch_size=4, prefetch_factor=2)
b = DataLoader(ds, num_workers=0, prefetch_factor=4)
c = DataLoader(ds, num_workers=4, prefetch_factor=4)
d = DataLoader(ds, num_workers=workers, prefetch_factor=4)
