import torch.utils.model_zoo

ref = torch.hub.load_state_dict_from_url
