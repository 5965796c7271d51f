# torchcompat: source-version 2.5 (the era the code was written for: see migrate/README.md)
import os
import tempfile

import torch
import torch.nn as nn

folder = tempfile.mkdtemp()
model = nn.Linear(2, 1)
torch.save(model, os.path.join(folder, "full.pt"))
restored = torch.load(os.path.join(folder, "full.pt"), map_location=lambda storage, loc: storage)
torch.save(model.state_dict(), os.path.join(folder, "state.pt"))
state = torch.load(os.path.join(folder, "state.pt"))
print(type(restored).__name__, sorted(state))
dev = torch.device("cpu")
use_cpu = True
# keywords go into the call's own argument list: past a parenthesised argument, before a trailing comma,
# a comment or the closing parenthesis of the call (not of a nested call)
grouped = torch.load(os.path.join(folder, "state.pt"), map_location=(dev if use_cpu else None))
exploded = torch.load(
    os.path.join(folder, "state.pt"),
    map_location=(lambda storage, loc: storage),  # keep tensors on the CPU (see above)
)
commented = torch.load(
    os.path.join(folder, "state.pt")  # the state dict (saved above)
)
nested = torch.load(os.path.join(folder, "state.pt"), map_location=torch.device("cpu"))
inline_comma = torch.load(os.path.join(folder, "state.pt"), map_location=((dev)),)
whole = torch.load(
    os.path.join(folder, "full.pt"),
    map_location=(lambda storage, loc: storage),
)
print(sorted(grouped), sorted(exploded), sorted(commented), sorted(nested), sorted(inline_comma))
print(type(whole).__name__)
