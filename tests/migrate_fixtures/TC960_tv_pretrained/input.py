import torchvision
from torchvision import models
from torchvision.models import resnet18

a = models.resnet50(pretrained=True)
b = torchvision.models.vgg16(pretrained=False, progress=True)
c = resnet18(pretrained=True)
d = models.resnet50(weights="DEFAULT")
e = models.detection.fasterrcnn_resnet50_fpn(pretrained=True)
