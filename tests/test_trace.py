"""``torchcompat run --trace``: what the run records (sites with columns, operands, counts, executed lines),
that the file is written atomically also when the script fails or calls sys.exit, that ``--trace-append``
merges, and that the observers are undone exactly (torch's objects are back, identical)."""

from __future__ import annotations

import json
import os
import sys
import textwrap

import pytest
import torch

from tests import places, procs
from tests.test_legacy_cli import torch_int_div_truncates
from torchcompat import legacy
from torchcompat.legacy import trace
from torchcompat.tracefile import VERSION, load, merge

COLUMNS = sys.version_info >= (3, 11)

SCRIPT = textwrap.dedent(
    """\
    import sys
    import torch
    import torch.nn.functional as F
    a = torch.arange(-3, 5).long()
    q = a / 2
    f = torch.ones(3) / 2
    loss = (torch.ones(3) * 2).sum()
    v = loss.data[0]
    s = F.softmax(torch.randn(2, 3))
    m = torch.tensor([1, 0, 1], dtype=torch.uint8)
    x = torch.zeros(3).masked_fill(m, 1.0)
    for i in range(3):
        w = torch.arange(4).long() / 2
    if len(sys.argv) > 5:
        never = a / 3
    print("RESULT", q.tolist(), v)
    sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    """
)


def _run(tmp_path, *flags, script=SCRIPT, args=()):
    path = tmp_path / "script.py"
    path.write_text(script)
    proc = procs.run(
        [sys.executable, "-W", "ignore", "-m", "torchcompat", "run", *flags, str(path), *args],
        capture_output=True,
        cwd=str(tmp_path),
    )
    return proc, str(path)


def _events(data, path):
    entry = data["files"][os.path.realpath(path)]
    return entry, entry["events"]


def test_trace_records_sites_operands_counts_and_lines(tmp_path):
    out = tmp_path / "t.json"
    proc, path = _run(tmp_path, "--trace", str(out))
    assert proc.returncode == 0, proc.stderr.decode()
    data = json.loads(out.read_text())
    assert data["version"] == VERSION
    entry, events = _events(data, path)
    by_kind = {}
    for e in events:
        by_kind.setdefault(e["kind"], []).append(e)
    divs = [e for e in by_kind["div"] if e["line"] == 5]
    assert divs and divs[0]["operands"] == [{"dtype": "int64", "shape": [8]}, {"type": "int"}]
    assert divs[0]["any_negative"] is True
    if not torch_int_div_truncates():  # the restore's own note, with operands (no restore where / truncates)
        assert [e for e in by_kind["int-div"] if e["line"] == 5]
    floats = [e for e in by_kind["div"] if e["line"] == 6]
    assert floats[0]["operands"][0]["dtype"] == "float32"
    loop = [e for e in by_kind["div"] if e["line"] == 13]
    assert loop[0]["count"] == 3 and loop[0]["any_negative"] is False
    index = by_kind["index-0dim"][0]
    assert index["line"] == 8 and index["operands"][0]["shape"] == []
    soft = by_kind["softmax-implicit"][0]
    assert soft["detail"] == {"dim": 1, "ndim": 2}
    assert {e["operands"][0]["dtype"] for e in by_kind["mask"]} == {"uint8"}
    if COLUMNS:  # the instruction's span: `a / 2` on line 5 is columns 4..9
        assert (divs[0]["col"], divs[0]["end_line"], divs[0]["end_col"]) == (4, 5, 9)
    else:
        assert divs[0]["col"] is None
    assert 13 in entry["lines"] and 15 not in entry["lines"]  # the branch never taken
    assert not [e for e in events if e["line"] == 15]


@pytest.mark.slow
@pytest.mark.parametrize("code", [0, 3])
def test_trace_written_on_sys_exit(tmp_path, code):
    out = tmp_path / "t.json"
    proc, path = _run(tmp_path, "--trace", str(out), args=(str(code),))
    assert proc.returncode == code
    assert load(str(out))["files"]


def test_trace_written_when_the_script_fails(tmp_path):
    out = tmp_path / "t.json"
    proc, path = _run(tmp_path, "--trace", str(out), script=SCRIPT.replace("print(", "raise ValueError(1)\nprint("))
    assert proc.returncode == 1 and b"ValueError" in proc.stderr
    data = load(str(out))
    assert 5 in data["files"][os.path.realpath(path)]["lines"]
    assert not [f for f in os.listdir(str(tmp_path)) if f.startswith(".trace-")]  # no temporary left


@pytest.mark.slow
def test_trace_replaces_unless_append(tmp_path):
    out = tmp_path / "t.json"
    _run(tmp_path, "--trace", str(out))
    _run(tmp_path, "--trace", str(out))
    one = load(str(out))
    assert len(one["runs"]) == 1
    _run(tmp_path, "--trace", str(out), "--trace-append")
    two = load(str(out))
    assert len(two["runs"]) == 2
    path = str(tmp_path / "script.py")
    count = {(e["kind"], e["line"]): e["count"] for e in _events(one, path)[1]}
    for e in _events(two, path)[1]:
        assert e["count"] == 2 * count[(e["kind"], e["line"])]


def test_bad_trace_arguments_are_refused_before_the_run(tmp_path):
    proc, _ = _run(tmp_path, "--trace", str(tmp_path / "missing" / "t.json"))
    assert proc.returncode == 2 and b"does not exist" in proc.stderr and b"RESULT" not in proc.stdout
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 99, "files": {}}')
    proc, _ = _run(tmp_path, "--trace", str(bad), "--trace-append")
    assert proc.returncode == 2 and b"not a torchcompat trace" in proc.stderr
    assert bad.read_text() == '{"version": 99, "files": {}}'  # left as it was


def test_observers_are_undone_exactly(tmp_path):
    watched = [
        (torch.Tensor, "__truediv__"),
        (torch.Tensor, "__getitem__"),
        (torch.Tensor, "__iter__"),
        (torch.Tensor, "masked_fill"),
        (torch, "div"),
        (torch.nn.functional, "softmax"),
    ]
    before = [(o, a, a in vars(o), vars(o).get(a)) for o, a in watched]
    legacy.patch()
    patched = [vars(o).get(a) for o, a in watched]
    try:
        trace.start(str(tmp_path / "t.json"), [str(tmp_path)])
        assert all(getattr(vars(o).get(a), "__tc_observer__", False) for o, a in watched)
        assert torch.tensor([torch.tensor(1.0), torch.tensor(2.0)]).tolist() == [1.0, 2.0]  # not a sequence
        trace.stop(write=False)
        assert [vars(o).get(a) for o, a in watched] == patched  # the restores, identical
    finally:
        trace.stop(write=False)
        legacy.unpatch()
    for owner, attr, had, raw in before:
        assert (attr in vars(owner)) == had and vars(owner).get(attr) is raw


def test_note_is_cheap_and_silent_when_not_tracing():
    from torchcompat.legacy import engine

    assert engine._recorder is None and not trace.active()


def test_merge_adds_counts_and_unites_lines():
    a = {"version": VERSION, "files": {"/p.py": {"lines": [1, 2], "text_sha256": "x", "events": []}}}
    event = {"kind": "div", "line": 2, "col": 4, "end_line": 2, "end_col": 9, "count": 2, "operands": []}
    a["files"]["/p.py"]["events"].append(dict(event, any_negative=False))
    b = {"version": VERSION, "files": {"/p.py": {"lines": [3], "text_sha256": "x", "events": []}}}
    b["files"]["/p.py"]["events"].append(dict(event, count=5, any_negative=True))
    merged = merge([a, b])["files"]["/p.py"]
    assert merged["lines"] == [1, 2, 3]
    assert merged["events"][0]["count"] == 7 and merged["events"][0]["any_negative"] is True
    assert merged["text_sha256"] == "x"
    b["files"]["/p.py"]["text_sha256"] = "y"  # another text of the file: positions cannot be trusted
    assert merge([a, b])["files"]["/p.py"]["text_sha256"] == "mixed"


OLD_PYTHON = places.T10_PYTHON


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists(OLD_PYTHON), reason="no torch 1.0.1 venv")
def test_trace_on_torch_1_0_records_lines_and_migrate_uses_them(tmp_path):
    """torch 1.0.1 truncates integer `/` itself (no restore applies): the observer still records it; Python 3.7
    has no columns, so migrate matches the line where it holds one division."""
    path = tmp_path / "job.py"
    path.write_text("import torch\nidx = torch.arange(8)\nhalf = idx / 2\nprint(half.tolist())\n")
    out = tmp_path / "t.json"
    proc = procs.run(
        [OLD_PYTHON, "-W", "ignore", "-m", "torchcompat", "run", "--trace", str(out), str(path)],
        capture_output=True,
        cwd=str(tmp_path),
    )
    assert proc.returncode == 0, proc.stderr.decode()
    data = load(str(out))
    assert data["columns"] is False and data["torch"].startswith("1.0")
    events = data["files"][os.path.realpath(str(path))]["events"]
    assert [(e["kind"], e["line"], e["col"]) for e in events] == [("div", 3, None)]
    done = procs.run(
        [sys.executable, "-m", "torchcompat", "migrate", "--trace", str(out), "--write", "-q", str(path)],
        capture_output=True,
    )
    assert done.returncode == 1, done.stderr.decode()
    assert "half = idx // 2" in path.read_text()
