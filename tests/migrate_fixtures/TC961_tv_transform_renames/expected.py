import torchvision.transforms as transforms
from torchvision.transforms import RandomResizedCrop as RandomSizedCrop, ToTensor
from torchvision import transforms as T

train = transforms.Compose([transforms.Resize(256), RandomSizedCrop(224), ToTensor()])
other = T.RandomResizedCrop(224, interpolation=2)


class Scale:  # not torchvision's: untouched
    pass


Scale()
