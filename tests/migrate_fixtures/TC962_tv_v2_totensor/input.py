import torch
from torchvision.transforms import v2
from torchvision.transforms.v2 import (
    ToImage,
    ToTensor,
)
from torchvision import transforms

pipeline = v2.Compose([v2.ToTensor(), ToTensor()])
v1 = transforms.ToTensor()  # v1 ToTensor is not deprecated: untouched
