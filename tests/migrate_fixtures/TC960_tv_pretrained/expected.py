import torchvision
from torchvision import models
from torchvision.models import resnet18

a = models.resnet50(weights="IMAGENET1K_V1")
b = torchvision.models.vgg16(weights=None, progress=True)
c = resnet18(weights="IMAGENET1K_V1")
d = models.resnet50(weights="DEFAULT")
e = models.detection.fasterrcnn_resnet50_fpn(weights="COCO_V1")
models.resnet50(weights="IMAGENET1K_V1")
models.resnet50(weights=None)
models.resnet.resnet101(weights="IMAGENET1K_V1")
models.detection.fasterrcnn_resnet50_fpn(weights="COCO_V1", weights_backbone=None)
models.detection.ssdlite320_mobilenet_v3_large(weights_backbone="IMAGENET1K_V1")
models.segmentation.deeplabv3_resnet50(weights="COCO_WITH_VOC_LABELS_V1")
models.quantization.resnet50(pretrained=True, quantize=True)  # reported only: quantized weights
models.vgg.make_layers([64, "M"], False)  # not a model builder: untouched
