import torch


def step(p, grad, exp_avg, exp_avg_sq, lr, beta1, beta2):
    p.data.add_(grad, alpha=-lr)
    exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
    exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    p.data.addcdiv_(exp_avg, exp_avg_sq.sqrt(), value=-lr)
    p.add_(grad, alpha=-lr)
    p.addcmul_(grad, grad, value=0.5)
    p.add_(grad)
