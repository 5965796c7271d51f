"""Fixtures written by a real old release (committed; rerun to refresh):

    /work/venvs/t1.0/bin/python tests/data/make_old_files.py     # torch 1.0.1, Python 3.7

Writes tests/data/t1.0/: a state_dict, a DataParallel state_dict, a full training checkpoint, a whole
pickled model, and expected.json (values as lists, dtypes, shared-storage facts) for the reading tests;
and malicious/t1.0_state_dict_system.pt (a state_dict holding os.system, saved by torch 1.0.1), added
to malicious/manifest.json.
"""

import collections
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "t1.0")


class Evil(object):
    def __reduce__(self):
        return (os.system, ("touch TC_CANARY",))


def model():
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.ReLU(), torch.nn.Flatten()
        if hasattr(torch.nn, "Flatten") else torch.nn.ReLU(),
    )
    net.train()
    net(torch.randn(4, 1, 5, 5))  # running stats and num_batches_tracked move
    return net


def tensors_to_lists(obj):
    if isinstance(obj, torch.Tensor):
        return {"dtype": str(obj.dtype), "shape": list(obj.shape), "values": obj.tolist()}
    if isinstance(obj, dict):
        return {str(k): tensors_to_lists(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [tensors_to_lists(v) for v in obj]
    if isinstance(obj, bytes):
        return {"bytes": list(obj)}
    return obj


def main():
    assert torch.__version__.startswith("1.0"), "run me with torch 1.0.x"
    if not os.path.isdir(OUT):
        os.makedirs(OUT)
    net = model()
    sd = net.state_dict()
    torch.save(sd, os.path.join(OUT, "state_dict.pt"))
    sd_lists = tensors_to_lists(sd)  # now: the training step below changes these tensors in place
    torch.save(torch.nn.DataParallel(net).state_dict(), os.path.join(OUT, "dataparallel_state_dict.pt"))
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    net(torch.randn(2, 1, 5, 5)).sum().backward()
    opt.step()
    base = torch.arange(12, dtype=torch.float64)
    ckpt = {
        "model": net.state_dict(),
        "optimizer": opt.state_dict(),
        "epoch": 5,
        "best": 0.875,
        "names": ["conv", "bn"],
        "shape": (3, 4),
        "raw": b"\x00\xff\x10",
        "int64": torch.arange(6).view(2, 3),
        "uint8": torch.tensor([0, 255, 7], dtype=torch.uint8),
        "float16": torch.tensor([0.5, -2.0], dtype=torch.float16),
        "base": base,
        "view": base[2:6],
        "transposed": base.view(3, 4).t(),
        "param": torch.nn.Parameter(torch.tensor([1.5, -1.5])),
        "scalar": torch.tensor(3.25),
    }
    torch.save(ckpt, os.path.join(OUT, "checkpoint.pt"))
    torch.save(net, os.path.join(OUT, "whole_model.pt"))
    expected = {
        "state_dict": sd_lists,
        "state_dict_keys": list(sd.keys()),
        "metadata": {k: v for k, v in sd._metadata.items()},
        "checkpoint": tensors_to_lists({k: v for k, v in ckpt.items() if k not in ("optimizer",)}),
        "optimizer_momentum": tensors_to_lists(
            [opt.state[p]["momentum_buffer"] for p in net.parameters() if p in opt.state]
        ),
        "optimizer_param_groups": [{k: v for k, v in g.items() if k != "params"} for g in opt.state_dict()["param_groups"]],
        "torch": torch.__version__,
        "python": sys.version.split()[0],
    }
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
    # a malicious checkpoint written by the old release itself
    evil = collections.OrderedDict(weight=torch.arange(4.0), evil=Evil())
    name = "t1.0_state_dict_system.pt"
    torch.save({"state_dict": evil}, os.path.join(HERE, "malicious", name))
    path = os.path.join(HERE, "malicious", "manifest.json")
    with open(path) as f:
        manifest = json.load(f)
    manifest[name] = {"desc": "torch 1.0.1 torch.save() of a state_dict holding os.system", "live": True,
                      "live_torch": "1.0", "refused": "posix.system", "min_python": "3.7"}
    with open(path, "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
    print("wrote %s with torch %s, Python %s" % (OUT, torch.__version__, sys.version.split()[0]))


if __name__ == "__main__":
    main()
