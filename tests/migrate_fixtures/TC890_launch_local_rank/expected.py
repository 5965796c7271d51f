import argparse

import torch.distributed as dist

parser = argparse.ArgumentParser()
parser.add_argument("--local_rank", "--local-rank", type=int, default=0)
parser.add_argument("--local-rank", "--local_rank", type=int, default=0, dest="rank2")
args = parser.parse_args()
dist.init_process_group("nccl")
