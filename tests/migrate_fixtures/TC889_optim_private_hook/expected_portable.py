import torch


class MyOpt(torch.optim.Optimizer):
    def step(self, closure=None):
        self._cuda_graph_capture_health_check()
