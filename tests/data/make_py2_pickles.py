# -*- coding: utf-8 -*-
"""Python 2 fixtures (run under Python 2.7): $(pyenv root)/versions/2.7.18/bin/python tests/data/make_py2_pickles.py

* malicious/py2_*.pkl: code-execution payloads pickled by Python 2's own pickler (``posix.system``,
  ``__builtin__.eval``, ``subprocess.call``), protocols 0-2, added to malicious/manifest.json;
* py2/py2_checkpoint.pt: a pre-1.6 torch checkpoint written by Python 2. torch 1.0.1 for Python 2.7 is
  not installed here, so torch's names are emulated by two stand-in modules and the layout of
  ``torch.save`` (magic number, protocol, sys_info, pickle with persistent storage ids, storage keys,
  raw storage bytes) is written by this script; everything else (str/unicode/long, OrderedDict,
  copy_reg names) is Python 2's real pickler. py2/py2_checkpoint.json holds the expected values.
"""
import collections
import json
import os
import pickle
import struct
import subprocess
import sys
import types

assert sys.version_info[0] == 2, "run me with Python 2.7"

HERE = os.path.dirname(os.path.abspath(__file__))
CANARY = "TC_CANARY"


class Reduce(object):
    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return (self.func, self.args)


def malicious():
    out = os.path.join(HERE, "malicious")
    payloads = [
        ("py2_p0_os_system.pkl", 0, Reduce(os.system, "touch " + CANARY), "posix.system"),
        ("py2_p1_eval.pkl", 1, Reduce(eval, "open(%r, 'w').close()" % CANARY), "builtins.eval"),
        ("py2_p2_subprocess.pkl", 2, Reduce(subprocess.call, ["touch", CANARY]), "subprocess.call"),
        ("py2_p2_nested_state_dict.pkl", 2,
         {"state_dict": collections.OrderedDict([("w", [1.0]), ("b", Reduce(os.system, "touch " + CANARY))]),
          "name": "caf\xe9"}, "posix.system"),
    ]
    path = os.path.join(out, "manifest.json")
    with open(path) as f:
        manifest = json.load(f)
    for name, proto, obj, refused in payloads:
        with open(os.path.join(out, name), "wb") as f:
            pickle.dump(obj, f, proto)
        manifest[name] = {"desc": "Python 2 pickle, protocol %d" % proto, "live": True, "live_torch": "1.0",
                          "refused": refused, "min_python": "3.7", "encoding": "latin1"}
    with open(path, "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)


# -- an emulated torch for the pickler: only names, never code ----------------------------------------
torch = types.ModuleType("torch")
utils = types.ModuleType("torch._utils")


def _rebuild_tensor_v2(*args):
    raise AssertionError


_rebuild_tensor_v2.__module__ = "torch._utils"
utils._rebuild_tensor_v2 = _rebuild_tensor_v2
torch._utils = utils
sys.modules["torch"] = torch
sys.modules["torch._utils"] = utils
FORMATS = {"FloatStorage": ("f", 4), "DoubleStorage": ("d", 8), "LongStorage": ("q", 8)}
for _name in FORMATS:
    _cls = type(_name, (object,), {"__module__": "torch"})
    setattr(torch, _name, _cls)


class Storage(object):
    def __init__(self, key, kind, values):
        self.key, self.kind, self.values = key, kind, values


class Tensor(object):
    def __init__(self, storage, offset, size, stride):
        self.args = (storage, offset, size, stride)

    def __reduce__(self):
        storage, offset, size, stride = self.args
        return (_rebuild_tensor_v2, (storage, offset, size, stride, False, collections.OrderedDict()))


def checkpoint():
    out = os.path.join(HERE, "py2")
    if not os.path.isdir(out):
        os.makedirs(out)
    w = Storage("140001", "FloatStorage", [0.5, -1.25, 2.0, 3.5, 4.0, -0.125])
    steps = Storage("140002", "LongStorage", [7, 1 << 40])
    d = Storage("140003", "DoubleStorage", [1.0 / 3, 2.5])
    state = collections.OrderedDict([("fc.weight", Tensor(w, 0, (2, 3), (3, 1))),
                                     ("fc.bias", Tensor(d, 0, (2,), (1,))),
                                     ("fc.weight_t", Tensor(w, 0, (3, 2), (1, 3)))])
    obj = {"state_dict": state, "steps": Tensor(steps, 1, (1,), (1,)), "epoch": 12L, "name": "caf\xe9",
           u"unicode_key": u"\u00fcber", "lr": 0.1, "flags": (True, None)}
    storages = []

    def persistent_id(o):
        if isinstance(o, Storage):
            if o not in storages:
                storages.append(o)
            return ("storage", getattr(torch, o.kind), o.key, "cpu", len(o.values), None)
        return None

    path = os.path.join(out, "py2_checkpoint.pt")
    with open(path, "wb") as f:
        for header in (0x1950a86a20f9469cfc6c, 1001,
                       {"protocol_version": 1001, "little_endian": True,
                        "type_sizes": {"short": 2, "int": 4, "long": 4}}):
            pickle.dump(header, f, 2)
        pickler = pickle.Pickler(f, 2)
        pickler.persistent_id = persistent_id
        pickler.dump(obj)
        pickle.dump([s.key for s in storages], f, 2)
        for s in storages:
            fmt, _ = FORMATS[s.kind]
            f.write(struct.pack("<q", len(s.values)) + struct.pack("<%d%s" % (len(s.values), fmt), *s.values))
    expected = {"fc.weight": [[0.5, -1.25, 2.0], [3.5, 4.0, -0.125]], "fc.bias": [1.0 / 3, 2.5],
                "fc.weight_t": [[0.5, 3.5], [-1.25, 4.0], [2.0, -0.125]], "steps": [1 << 40], "epoch": 12,
                "name": u"caf\u00e9", "unicode_key": u"\u00fcber", "lr": 0.1}
    with open(os.path.join(out, "py2_checkpoint.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    malicious()
    checkpoint()
    print("wrote Python 2 fixtures with %s" % sys.version.split()[0])
