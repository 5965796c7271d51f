import torch.utils.model_zoo

ref = torch.utils.model_zoo.load_url
