import torch

loss = torch.ones(()) * 2
total = 0.0
total += loss.data[0]
print("loss %.3f" % loss.data[0])
value = (loss * 2).data[0]
shape = dataset.data[0].shape
first = images.data[0][1]
loss.data[0] = 3
