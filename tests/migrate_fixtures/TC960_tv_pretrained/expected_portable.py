import torchcompat as tc
import torchvision
from torchvision import models
from torchvision.models import resnet18

a = models.resnet50(**tc.vision.weights_for("resnet50", pretrained=True))
b = torchvision.models.vgg16(progress=True, **tc.vision.weights_for("vgg16", pretrained=False))
c = resnet18(**tc.vision.weights_for("resnet18", pretrained=True))
d = models.resnet50(weights="DEFAULT")
e = models.detection.fasterrcnn_resnet50_fpn(**tc.vision.weights_for("detection.fasterrcnn_resnet50_fpn", pretrained=True))
models.resnet50(**tc.vision.weights_for("resnet50", pretrained=True))
models.resnet50(**tc.vision.weights_for("resnet50", pretrained=False))
models.resnet.resnet101(**tc.vision.weights_for("resnet.resnet101", pretrained=True))
models.detection.fasterrcnn_resnet50_fpn(**tc.vision.weights_for("detection.fasterrcnn_resnet50_fpn", pretrained=True, pretrained_backbone=False))
models.detection.ssdlite320_mobilenet_v3_large(**tc.vision.weights_for("detection.ssdlite320_mobilenet_v3_large", pretrained_backbone=True))
models.segmentation.deeplabv3_resnet50(**tc.vision.weights_for("segmentation.deeplabv3_resnet50", pretrained=True))
models.quantization.resnet50(pretrained=True, quantize=True)  # reported only: quantized weights
models.vgg.make_layers([64, "M"], False)  # not a model builder: untouched
