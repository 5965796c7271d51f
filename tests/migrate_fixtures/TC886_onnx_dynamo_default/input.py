# torchcompat: source-version 2.8 (the era the code was written for: see migrate/README.md)
import torch

torch.onnx.export(model, (x,), "m.onnx", opset_version=17, dynamic_axes={"x": {0: "batch"}})
torch.onnx.export(model, (x,), "m.onnx")
torch.onnx.export(model, (x,), "m.onnx", dynamic_axes={"x": {0: "batch"}}, dynamo=True)
