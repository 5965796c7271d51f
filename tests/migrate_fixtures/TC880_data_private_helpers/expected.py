from torch.utils.data.dataloader import numpy_type_map, string_classes
from torch.utils.data.dataloader import DataLoader
