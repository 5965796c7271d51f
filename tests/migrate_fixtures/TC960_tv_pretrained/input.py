import torchvision
from torchvision import models
from torchvision.models import resnet18

a = models.resnet50(pretrained=True)
b = torchvision.models.vgg16(pretrained=False, progress=True)
c = resnet18(pretrained=True)
d = models.resnet50(weights="DEFAULT")
e = models.detection.fasterrcnn_resnet50_fpn(pretrained=True)
models.resnet50(True)
models.resnet50(False)
models.resnet.resnet101(pretrained=True)
models.detection.fasterrcnn_resnet50_fpn(pretrained=True, pretrained_backbone=False)
models.detection.ssdlite320_mobilenet_v3_large(pretrained_backbone=True)
models.segmentation.deeplabv3_resnet50(pretrained=True)
models.quantization.resnet50(pretrained=True, quantize=True)  # reported only: quantized weights
models.vgg.make_layers([64, "M"], False)  # not a model builder: untouched
