# torchcompat: source-version 1.5 (the era the code was written for: see migrate/README.md)
import torch

state = {"w": torch.ones(2)}
torch.save(state, "model.pth", _use_new_zipfile_serialization=False)
torch.save(state, "model_new.pth", _use_new_zipfile_serialization=True)
