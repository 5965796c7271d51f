import torch

program = torch.onnx.export(model, (x,), dynamo=True)
program2 = torch.onnx.export(model, (x, y), dynamo=True)
