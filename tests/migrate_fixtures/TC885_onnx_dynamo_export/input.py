import torch

program = torch.onnx.dynamo_export(model, x)
program2 = torch.onnx.dynamo_export(model, x, y)
