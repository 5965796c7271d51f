# -*- coding: utf-8 -*-
"""Fixtures written by a real torch under Python 2.7 (committed; rerun to refresh):

    PYTHONPATH=<torch 1.4.0 for cp27> $(pyenv root)/versions/2.7.18/bin/python tests/data/make_py2_torch_files.py

(torch 1.0.1 for cp27 was not available from the package index here; torch 1.4.0 cp27 was, installed with
``python2 -m pip install --target DIR torch==1.4.0 future``.) Writes py2/py2_torch_checkpoint.pt (legacy format,
Python 2 pickles: str as bytes, long, unicode) with py2/py2_torch_checkpoint.json, and
malicious/py2_torch_state_dict_system.pt (a state_dict holding os.system), added to malicious/manifest.json.
"""
import collections
import json
import os
import sys

import torch

assert sys.version_info[0] == 2, "run me with Python 2.7"
HERE = os.path.dirname(os.path.abspath(__file__))


class Evil(object):
    def __reduce__(self):
        return (os.system, ("touch TC_CANARY",))


def main():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    net.train()
    net(torch.randn(4, 3))
    sd = net.state_dict()
    base = torch.arange(6, dtype=torch.float64)
    ckpt = {"state_dict": sd, "epoch": 12L, "name": "caf\xe9", "title": u"\u00fcber", "base": base,
            "view": base[1:4], "ints": torch.arange(4)}
    torch.save(ckpt, os.path.join(HERE, "py2", "py2_torch_checkpoint.pt"))
    expected = {"state_dict": {k: v.tolist() for k, v in sd.items()}, "keys": list(sd.keys()), "epoch": 12,
                "name": u"caf\u00e9", "title": u"\u00fcber", "view": base[1:4].tolist(), "ints": [0, 1, 2, 3],
                "torch": torch.__version__, "python": sys.version.split()[0]}
    with open(os.path.join(HERE, "py2", "py2_torch_checkpoint.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
    name = "py2_torch_state_dict_system.pt"
    evil = collections.OrderedDict([("weight", torch.arange(4.0)), ("evil", Evil())])
    torch.save({"state_dict": evil}, os.path.join(HERE, "malicious", name))
    path = os.path.join(HERE, "malicious", "manifest.json")
    with open(path) as f:
        manifest = json.load(f)
    manifest[name] = {"desc": "Python 2 torch %s torch.save() of a state_dict holding os.system" % torch.__version__,
                      "live": True, "live_torch": "1.0", "refused": "posix.system", "min_python": "3.7",
                      "encoding": "latin1"}
    with open(path, "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
    print("wrote Python 2 torch %s fixtures" % torch.__version__)


if __name__ == "__main__":
    main()
