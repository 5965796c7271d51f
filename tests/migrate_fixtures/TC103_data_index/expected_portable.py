import torch
import torchcompat as tc

loss = torch.ones(()) * 2
total = 0.0
total += tc.item(loss)
print("loss %.3f" % tc.item(loss))
value = tc.item(loss * 2)
shape = dataset.data[0].shape
first = images.data[0][1]
loss.data[0] = 3
