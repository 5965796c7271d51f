import torch


def step(p, grad, exp_avg, exp_avg_sq, lr, beta1, beta2):
    p.data.add_(-lr, grad)
    exp_avg.mul_(beta1).add_(1 - beta1, grad)
    exp_avg_sq.mul_(beta2).addcmul_(1 - beta2, grad, grad)
    p.data.addcdiv_(-lr, exp_avg, exp_avg_sq.sqrt())
    p.add_(grad, alpha=-lr)
    p.addcmul_(grad, grad, value=0.5)
    p.add_(grad)
