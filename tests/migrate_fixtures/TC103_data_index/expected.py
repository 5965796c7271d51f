import torch

loss = torch.ones(()) * 2
total = 0.0
total += loss.item()
print("loss %.3f" % loss.item())
value = (loss * 2).item()
shape = dataset.data[0].shape
first = images.data[0][1]
loss.data[0] = 3
