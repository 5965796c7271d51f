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
