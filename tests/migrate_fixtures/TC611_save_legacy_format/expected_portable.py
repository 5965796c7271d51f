# torchcompat: source-version 1.5 (the era the code was written for: see migrate/README.md)
import torch
import torchcompat as tc

state = {"w": torch.ones(2)}
tc.save(state, "model.pth", legacy_format=True)
torch.save(state, "model_new.pth", _use_new_zipfile_serialization=True)
