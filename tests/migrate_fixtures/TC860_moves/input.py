import torch
import torch.distributed as dist
from torch.cuda import memory_cached
from torch.optim.lr_scheduler import _LRScheduler
from torch.utils import model_zoo

used = torch.cuda.memory_cached() if torch.cuda.is_available() else 0
peak = torch.cuda.max_memory_cached
torch.set_deterministic(False)
flag = torch.is_deterministic()
url_loader = model_zoo.load_url
op = dist.reduce_op.SUM
gather = dist._all_gather_base
scatter = dist._reduce_scatter_base
collate = torch.utils.data._utils.collate.default_collate
collate2 = torch.utils.data.dataloader.default_collate
call = torch.nn.utils.stateless.functional_call
fake = torch.library.impl_abstract
register = torch.utils._pytree._register_pytree_node
cached = memory_cached


class Sched(_LRScheduler):
    pass
