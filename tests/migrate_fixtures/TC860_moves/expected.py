import torch
import torch.distributed as dist
from torch.cuda import memory_reserved as memory_cached
from torch.optim.lr_scheduler import LRScheduler as _LRScheduler
from torch.utils import model_zoo

used = torch.cuda.memory_reserved() if torch.cuda.is_available() else 0
peak = torch.cuda.max_memory_reserved
torch.use_deterministic_algorithms(False)
flag = torch.are_deterministic_algorithms_enabled()
url_loader = torch.hub.load_state_dict_from_url
op = dist.ReduceOp.SUM
gather = dist.all_gather_into_tensor
scatter = dist.reduce_scatter_tensor
collate = torch.utils.data.default_collate
collate2 = torch.utils.data.default_collate
call = torch.func.functional_call
fake = torch.library.register_fake
register = torch.utils._pytree.register_pytree_node
cached = memory_cached


class Sched(_LRScheduler):
    pass
