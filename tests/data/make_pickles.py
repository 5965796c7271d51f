"""Generate the malicious-pickle corpus in tests/data/malicious/ (committed; rerun to refresh).

    python tests/data/make_pickles.py            # Python 3.8+ with torch >= 2.0 (zip checkpoints)

Every payload that can run code tries to create the file ``TC_CANARY`` in the current directory;
the tests run loads in a temporary directory and assert the canary does not exist. ``manifest.json``
lists each file: its description, whether it creates the canary when unpickled by plain pickle
(``live``), the global the refusal must name (``refused``, where one is the first bad global), and the
minimum Python that can parse it. Entries named ``py2_*`` (make_py2_pickles.py and make_py2_torch_files.py,
Python 2.7) and ``t1.0_*`` (make_old_files.py, torch 1.0.1) are written by those scripts and kept here.
"""

import builtins
import collections
import io
import json
import os
import pickle
import struct
import subprocess
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "malicious")
CANARY = "TC_CANARY"
SHELL = "touch " + CANARY
PY = "open(%r, 'w').close()" % CANARY
MAGIC = 0x1950A86A20F9469CFC6C
SYS_INFO = {"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 4}}

MANIFEST = {}


def write(name, data, desc, live, refused=None, min_python="3.7", live_torch="1.0"):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    MANIFEST[name] = {"desc": desc, "live": live, "live_torch": live_torch, "refused": refused, "min_python": min_python}


# -- payload objects (pickled by the real pickler at each protocol) ---------------------------------
class Reduce:
    """An object that pickles as ``func(*args)``; callable so it can itself be a REDUCE target."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return (self.func, self.args)

    def __call__(self, *a):  # pickle requires callables as reduce targets
        raise AssertionError


def import_(name):
    return Reduce(builtins.__import__, name)


# -- raw opcodes (protocol 2), for payloads the pickler cannot produce --------------------------------
def glob(module, name):
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def text(s):
    b = s.encode("utf-8")
    return b"X" + struct.pack("<I", len(b)) + b


def bint(i):
    return b"J" + struct.pack("<i", i)


def tup(*items):
    return b"(" + b"".join(items) + b"t"


def call(func, *args):
    return func + tup(*args) + b"R"


P2 = b"\x80\x02"
NONE, TRUE, FALSE, EMPTY_DICT, STOP = b"N", b"\x88", b"\x89", b"}", b"."
ORDERED_DICT = call(glob("collections", "OrderedDict"))


def storage_pid(key, numel, legacy=True):
    """A torch persistent id for a float storage, legacy (view metadata) or zip form."""
    fields = [text("storage"), glob("torch", "FloatStorage"), text(key), text("cpu"), bint(numel)]
    if legacy:
        fields.append(NONE)
    return tup(*fields) + b"Q"


def rebuild_v2(pid, offset, size, stride, hooks=ORDERED_DICT):
    return call(
        glob("torch._utils", "_rebuild_tensor_v2"),
        pid, bint(offset), tup(*map(bint, size)), tup(*map(bint, stride)), FALSE, hooks,
    )


def legacy_file(main_pickle, numel=4):
    """A pre-1.6 torch checkpoint around ``main_pickle`` with one float storage ``'0'`` of ``numel``."""
    out = io.BytesIO()
    for header in (MAGIC, 1001, SYS_INFO):
        pickle.dump(header, out, protocol=2)
    out.write(main_pickle)
    pickle.dump(["0"], out, protocol=2)
    out.write(struct.pack("<q", numel) + struct.pack("<%df" % numel, *range(numel)))
    return out.getvalue()


def zip_file(main_pickle, record=b"\x00" * 16):
    """A zip (1.6+) torch checkpoint whose data.pkl is ``main_pickle``, one storage record ``0``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for name, data in (("archive/data.pkl", main_pickle), ("archive/byteorder", b"little"),
                           ("archive/data/0", record), ("archive/version", b"3\n")):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            zf.writestr(info, data)
    return out.getvalue()


def main():
    os.makedirs(OUT, exist_ok=True)
    # 1-6: the classic __reduce__ payloads, one per pickle protocol 0-5
    classic = [
        (0, "os_system", Reduce(os.system, SHELL), "posix.system"),
        (1, "os_system", Reduce(os.system, SHELL), "posix.system"),
        (2, "eval", Reduce(builtins.eval, PY), "builtins.eval"),
        (3, "exec", Reduce(builtins.exec, PY), "builtins.exec"),
        (4, "subprocess_call", Reduce(subprocess.call, ["touch", CANARY]), "subprocess.call"),
        (5, "subprocess_popen", Reduce(subprocess.Popen, ["touch", CANARY]), "subprocess.Popen"),
    ]
    for proto, name, payload, refused in classic:
        write("p%d_%s.pkl" % (proto, name), pickle.dumps(payload, protocol=proto),
              "%s at pickle protocol %d" % (name, proto), True, refused, "3.8" if proto == 5 else "3.7")
    # 7: getattr chain: getattr(__import__('os'), 'system')(cmd)
    chain = Reduce(Reduce(builtins.getattr, import_("os"), "system"), SHELL)
    write("getattr_chain.pkl", pickle.dumps(chain, protocol=2), "getattr(__import__('os'), 'system')(cmd)", True,
          "builtins.getattr")
    # 8: importlib.import_module('os') then getattr
    imp = Reduce(Reduce(builtins.getattr, Reduce(__import__("importlib").import_module, "os"), "system"), SHELL)
    write("importlib_chain.pkl", pickle.dumps(imp, protocol=4), "getattr(importlib.import_module('os'), 'system')",
          True, "builtins.getattr")
    # 9: operator.methodcaller('system', cmd)(__import__('os'))
    import operator

    meth = Reduce(Reduce(operator.methodcaller, "system", SHELL), import_("os"))
    write("operator_methodcaller.pkl", pickle.dumps(meth, protocol=3), "operator.methodcaller('system', cmd)(os)",
          True, "operator.methodcaller")
    # 10: builtins.__import__ alone, then the payload via apply of a nested eval
    write("builtins_import.pkl", pickle.dumps(Reduce(builtins.eval, "__import__('os').system(%r)" % SHELL), 0),
          "eval(\"__import__('os').system(cmd)\") at protocol 0", True, "builtins.eval")
    # 11: payload nested deep in a state_dict-like structure (raw pickle)
    nested = {"state_dict": collections.OrderedDict(weight=[1.0, 2.0], bias=Reduce(os.system, SHELL)), "epoch": 3}
    write("nested_state_dict.pkl", pickle.dumps(nested, protocol=2), "os.system nested in a state_dict", True,
          "posix.system")
    # 12: torch.storage._load_from_bytes: recursive torch.load of an evil inner file
    inner = pickle.dumps(Reduce(os.system, SHELL), protocol=2)
    lfb = P2 + call(glob("torch.storage", "_load_from_bytes"), b"B" + struct.pack("<I", len(inner)) + inner) + STOP
    write("storage_load_from_bytes.pkl", lfb, "torch.storage._load_from_bytes(evil bytes): recursive unsafe load",
          True, "torch.storage._load_from_bytes")
    # 13: _rebuild_from_type_v2 used as an apply(): func = os.system
    rft = P2 + call(glob("torch._tensor", "_rebuild_from_type_v2"), glob("posix", "system"), glob("torch", "Tensor"),
                    tup(text(SHELL)), EMPTY_DICT) + STOP
    write("rebuild_from_type_v2_system.pkl", legacy_file(rft), "_rebuild_from_type_v2(os.system, Tensor, (cmd,))",
          True, "posix.system", live_torch="2.0")
    # 14: _rebuild_tensor with a non-storage (an OrderedDict) in a legacy checkpoint
    bad_storage = P2 + call(glob("torch._utils", "_rebuild_tensor"), ORDERED_DICT, bint(0), tup(bint(1)),
                            tup(bint(1))) + STOP
    write("rebuild_tensor_non_storage.pt", legacy_file(bad_storage), "_rebuild_tensor(OrderedDict(), ...)",
          False)
    # 15: _rebuild_tensor_v2 view far past the end of its storage (out-of-bounds read)
    oob = P2 + rebuild_v2(storage_pid("0", 4), 0, (1 << 20,), (1,)) + STOP
    write("rebuild_tensor_out_of_bounds.pt", legacy_file(oob), "tensor view of 1M elements on a 4-element storage",
          False)
    # 16: negative stride walking before the storage
    neg = P2 + rebuild_v2(storage_pid("0", 4), 3, (4,), (-100,)) + STOP
    write("rebuild_tensor_negative_stride.pt", legacy_file(neg), "negative stride out of the storage", False)
    # 17: backward hooks smuggled into a tensor (a callable run at backward time)
    hooks = ORDERED_DICT + bint(0) + glob("collections", "OrderedDict") + b"s"
    hook = P2 + rebuild_v2(storage_pid("0", 4), 0, (4,), (1,), hooks) + STOP
    write("rebuild_tensor_backward_hooks.pt", legacy_file(hook), "tensor with a backward hook callable", False)
    # 18: SETITEM on a tensor (CVE-2026-24747 class: SETITEM on a non-dict)
    setitem = P2 + rebuild_v2(storage_pid("0", 4), 0, (4,), (1,)) + bint(0) + bint(7) + b"s" + STOP
    write("setitem_on_tensor.pt", legacy_file(setitem), "SETITEM applied to a tensor", False)
    # 19: BUILD on a tensor (sets state / __dict__ of a non-container)
    build = P2 + rebuild_v2(storage_pid("0", 4), 0, (4,), (1,)) + EMPTY_DICT + text("x") + bint(1) + b"s" + b"b" + STOP
    write("build_on_tensor.pt", legacy_file(build), "BUILD on a tensor", False)
    # 20: zip checkpoint whose data.pkl is a classic payload inside a state_dict
    zpayload = P2 + tup(text("weight"), call(glob("posix", "system"), text(SHELL))) + STOP
    write("zip_os_system.pt", zip_file(zpayload), "os.system inside the data.pkl of a zip checkpoint", True,
          "posix.system", live_torch="1.6")
    # 21: zip checkpoint whose storage declares more elements than its record holds
    zoob = P2 + rebuild_v2(storage_pid("0", 1 << 20, legacy=False), 0, (1 << 20,), (1,)) + STOP
    write("zip_storage_size_mismatch.pt", zip_file(zoob), "zip storage of 1M floats with a 16-byte record", False)
    # 22: copyreg extension registry opcode
    write("ext1_opcode.pkl", P2 + b"\x82\x01" + STOP, "EXT1 (copyreg extension registry)", False)
    # 23-24: torch checkpoints written by this torch (legacy and zip formats) with a payload in a state_dict
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        sd = collections.OrderedDict(weight=torch.arange(4.0), evil=Reduce(os.system, SHELL))
        for legacy in (True, False):
            buf = io.BytesIO()
            torch.save({"state_dict": sd}, buf, _use_new_zipfile_serialization=not legacy)
            write("torch%s_%s_state_dict_system.pt" % (torch.__version__.split("+")[0], "legacy" if legacy else "zip"),
                  buf.getvalue(), "torch.save() of a state_dict holding os.system (%s format)"
                  % ("legacy" if legacy else "zip"), True, "posix.system", live_torch="1.0" if legacy else "1.6")
    # the Python 2 entries are kept (written by make_py2_pickles.py)
    path = os.path.join(OUT, "manifest.json")
    if os.path.exists(path):
        with open(path) as f:
            MANIFEST.update({k: v for k, v in json.load(f).items() if k.startswith(("py2_", "t1.0_"))})
    with open(path, "w") as f:
        json.dump(MANIFEST, f, indent=1, sort_keys=True)
    print("wrote %d files to %s (python %s)" % (len(MANIFEST), OUT, sys.version.split()[0]))


if __name__ == "__main__":
    main()
