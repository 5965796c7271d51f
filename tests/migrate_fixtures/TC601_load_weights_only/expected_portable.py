import os
import tempfile

import torch
import torchcompat as tc
import torch.nn as nn

folder = tempfile.mkdtemp()
model = nn.Linear(2, 1)
torch.save(model, os.path.join(folder, "full.pt"))
restored = tc.load(os.path.join(folder, "full.pt"), map_location=lambda storage, loc: storage, weights_only=False)  # whole object saved by this script: weights_only=False (trusted)
torch.save(model.state_dict(), os.path.join(folder, "state.pt"))
state = tc.load(os.path.join(folder, "state.pt"), weights_only=True)
print(type(restored).__name__, sorted(state))
