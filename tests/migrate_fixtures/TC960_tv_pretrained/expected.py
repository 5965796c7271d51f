import torchvision
from torchvision import models
from torchvision.models import resnet18

a = models.resnet50(weights="IMAGENET1K_V1")
b = torchvision.models.vgg16(weights=None, progress=True)
c = resnet18(weights="IMAGENET1K_V1")
d = models.resnet50(weights="DEFAULT")
e = models.detection.fasterrcnn_resnet50_fpn(pretrained=True)
