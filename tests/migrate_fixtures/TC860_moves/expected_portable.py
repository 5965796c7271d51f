import torch
import torchcompat as tc
import torch.distributed as dist
from torch.cuda import memory_cached
from torch.optim.lr_scheduler import _LRScheduler
from torch.utils import model_zoo

used = tc.cuda.memory_reserved() if torch.cuda.is_available() else 0
peak = tc.cuda.max_memory_reserved
torch.set_deterministic(False)
flag = torch.is_deterministic()
url_loader = model_zoo.load_url
op = dist.ReduceOp.SUM
gather = tc.distributed.all_gather_into_tensor
scatter = tc.distributed.reduce_scatter_tensor
collate = tc.utils.data.default_collate
collate2 = tc.utils.data.default_collate
call = tc.func.functional_call
fake = tc.library.register_fake
register = torch.utils._pytree._register_pytree_node
cached = tc.cuda.memory_reserved


class Sched(tc.optim.lr_scheduler.LRScheduler):
    pass
