import torchvision.transforms as transforms
from torchvision.transforms import RandomSizedCrop, ToTensor
from torchvision import transforms as T

train = transforms.Compose([transforms.Scale(256), RandomSizedCrop(224), ToTensor()])
other = T.RandomSizedCrop(224, interpolation=2)


class Scale:  # not torchvision's: untouched
    pass


Scale()
