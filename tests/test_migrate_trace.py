"""``torchcompat migrate --trace``: run-time evidence decides the meaning rules.

Fast tests build a file's trace by hand (the format of :mod:`torchcompat.tracefile`) and run the engine;
slow ones record a real ``torchcompat run --trace``, migrate with it and run the result on plain torch
(torchcompat blocked) and, ``--portable``, on torch 1.0.1; and do so for the twelve shared legacy examples."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
import textwrap

import pytest

from tests import places, procs
from tests.migrate_helpers import BLOCKER
from torchcompat.migrate.engine import Options, process_text
from torchcompat.migrate.trace import NOT_EXECUTED, FileTrace, Traces

pytestmark = pytest.mark.skipif(sys.version_info < (3, 8), reason="the migration tool needs Python >= 3.8")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(os.path.dirname(ROOT), "shared", "legacy-examples")
OLD_PYTHON = places.T10_PYTHON


def _event(kind, line, col, end_col, operands, negative=False, detail=None):
    found = {
        "kind": kind,
        "line": line,
        "col": col,
        "end_line": line,
        "end_col": end_col,
        "count": 1,
        "operands": operands,
        "any_negative": negative,
    }
    if detail:
        found["detail"] = detail
    return found


def _migrate(text, events, lines=None, **options):
    entry = {
        "lines": lines if lines is not None else list(range(1, text.count("\n") + 2)),
        "events": events,
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
    }
    opts = Options(fix=True, trace=FileTrace(entry), **options)
    return process_text(text, opts)


INT64 = {"dtype": "int64", "shape": [8]}
INT = {"type": "int"}
FLOAT = {"dtype": "float32", "shape": [8]}

DIV = "import torch\nidx = batch / 2\nprint(idx)\n"  # `batch / 2`: line 2, columns 6..15


def test_division_seen_on_non_negative_integers_becomes_floor_division():
    result = _migrate(DIV, [_event("div", 2, 6, 15, [INT64, INT])])
    assert "idx = batch // 2" in result.text
    finding = [f for f in result.findings if f.code == "TC221"][0]
    assert finding.evidence == "trace" and "seen" in finding.message
    assert process_text(DIV, Options(fix=True)).text == DIV  # statically: nothing known, nothing changed


def test_division_seen_with_negative_operands_truncates():
    result = _migrate(DIV, [_event("int-div", 2, 6, 15, [INT64, INT], negative=True)], target="2.13")
    assert "idx = torch.div(batch, 2, rounding_mode='trunc')" in result.text
    portable = _migrate(DIV, [_event("int-div", 2, 6, 15, [INT64, INT], negative=True)], portable=True)
    assert "tc.div(batch, 2, rounding_mode='trunc')" in portable.text
    old = _migrate(DIV, [_event("div", 2, 6, 15, [INT64, INT], negative=True)], target="1.0")
    assert old.text == DIV  # torch.div(rounding_mode=) needs 1.8: reported only
    assert [f for f in old.findings if f.code == "TC221" and not f.fixable]


def test_division_seen_on_floats_is_left_alone_without_a_guess():
    text = "import torch\nidx = torch.arange(8).long() / 2\n"
    static = process_text(text, Options(fix=True, source="0.4"))
    assert "//" in static.text  # the era alone would rewrite it
    result = _migrate(text, [_event("div", 2, 6, 32, [FLOAT, INT])], source="0.4")
    assert result.text == text and not [f for f in result.findings if f.code == "TC221"]


def test_line_never_executed_is_reported_not_rewritten():
    text = "import torch\nif flag:\n    idx = torch.arange(8).long() / 2\n"
    result = _migrate(text, [], lines=[1, 2], source="0.4")
    assert result.text == text
    finding = [f for f in result.findings if f.code == "TC221"][0]
    assert not finding.fixable and NOT_EXECUTED in finding.message
    ran = _migrate(text, [], lines=[1, 2, 3], source="0.4")
    assert "//" in ran.text  # executed: the era decides as without a trace


def test_zero_dim_index_seen_becomes_item():
    text = "import torch\ndef report(v):\n    return v[0]\nprint(report(loss.data))\n"
    zero = {"dtype": "float32", "shape": []}
    result = _migrate(text, [_event("index-0dim", 3, 11, 15, [zero])])
    assert "return v.item()" in result.text
    portable = _migrate(text, [_event("data-index-0", 3, 11, 15, [zero])], portable=True)
    assert "return tc.item(v)" in portable.text
    graph = _migrate(text, [_event("index-0dim", 3, 11, 15, [dict(zero, grad=True)])])
    assert graph.text == text  # [0] of a tensor that requires grad kept the graph: reported only


def test_uint8_mask_and_index_seen():
    text = "import torch\ny = x[m]\nz = x.masked_fill(k, 0)\nw = x.masked_fill(b, 0)\n"
    uint8 = {"dtype": "uint8", "shape": [3]}
    events = [
        _event("uint8-index", 2, 4, 8, [FLOAT, uint8]),
        _event("mask", 3, 4, 23, [uint8]),
        _event("mask", 4, 4, 23, [{"dtype": "bool", "shape": [3]}]),
    ]
    result = _migrate(text, events, target="2.13")
    assert "y = x[m.bool()]" in result.text and "z = x.masked_fill(k.bool(), 0)" in result.text
    assert "w = x.masked_fill(b, 0)" in result.text  # seen bool: no guess, no finding
    assert not [f for f in result.findings if f.line == 4]


def test_softmax_rank_seen_gives_the_dim():
    text = "import torch.nn.functional as F\np = F.softmax(h)\n"
    result = _migrate(text, [_event("softmax-implicit", 2, 4, 16, [{"dtype": "float32", "shape": [4, 5]}])])
    assert "F.softmax(h, dim=1)" in result.text


def test_changed_text_gets_no_evidence_and_idempotence():
    result = _migrate(DIV, [_event("div", 2, 6, 15, [INT64, INT])])
    # migrating the migrated text with the same trace: the text is not the one that ran, nothing changes
    entry = {"lines": [1, 2, 3], "events": [_event("div", 2, 6, 15, [INT64, INT])]}
    entry["text_sha256"] = hashlib.sha256(DIV.encode("utf-8")).hexdigest()
    again = process_text(result.text, Options(fix=True, trace=FileTrace(entry)))
    assert again.text == result.text
    other = "import torch\nidx = batch / 2\nprint(idx, 1)\n"
    assert process_text(other, Options(fix=True, trace=FileTrace(entry))).text == other  # another text


def test_bytes_kept_crlf_and_later_passes_map_positions():
    text = "import torch\r\nv = loss.data[0] / 2\r\nidx = batch / 2\r\n"
    events = [_event("div", 3, 6, 15, [INT64, INT]), _event("div", 2, 4, 20, [{"dtype": "float32", "shape": []}, INT])]
    result = _migrate(text, events, portable=True)
    assert result.text.count("\r\n") == 4 and "\n" not in result.text.replace("\r\n", "")
    assert "idx = batch // 2" in result.text and "import torchcompat as tc" in result.text
    assert "tc.item(loss) / 2" in result.text  # float `/` left, the .data[0] fix is the static one


def test_traces_view_by_real_path(tmp_path):
    path = tmp_path / "a.py"
    path.write_text(DIV)
    traces = Traces({"files": {os.path.realpath(str(path)): {"lines": [1], "events": []}}})
    assert traces.view(str(path)) is not None and traces.view(str(tmp_path / "b.py")) is None
    assert traces.view("-") is None


def test_cli_refuses_a_bad_trace(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("not json")
    target = tmp_path / "a.py"
    target.write_text(DIV)
    proc = procs.run(
        [sys.executable, "-m", "torchcompat", "migrate", "--write", "--trace", str(bad), str(target)],
        capture_output=True,
    )
    assert proc.returncode == 2 and b"--trace" in proc.stderr
    assert target.read_text() == DIV


# -- end to end: a real run, a real migration, the result on plain torch -----------------------------


ONLY_THE_TRACE = textwrap.dedent(
    """\
    import torch
    import torch.nn as nn


    def collate(items):
        return torch.stack(items)


    def report(value):
        return value[0]


    batch = collate([torch.tensor(4), torch.tensor(6)])
    rows = batch / 2
    table = torch.arange(10) * 10
    criterion = nn.MSELoss()
    loss = criterion(torch.ones(3), torch.zeros(3))
    print("RESULT %s %.3f" % (table[rows].tolist(), report(loss.data)))
    """
)


def _cli(*args, cwd):
    return procs.run([sys.executable, "-W", "ignore", "-m", "torchcompat", *args], capture_output=True, cwd=cwd)


def _plain(python, path, block=True):
    cmd = [python, "-W", "ignore"] + (["-c", BLOCKER, path] if block else [path])
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    return procs.run(cmd, capture_output=True, cwd=os.path.dirname(path), env=env, timeout=900)


@pytest.mark.slow
def test_integer_division_and_zero_dim_index_only_the_trace_fixes(tmp_path):
    static = tmp_path / "static" / "job.py"
    traced = tmp_path / "traced" / "job.py"
    for path in (static, traced):
        path.parent.mkdir()
        path.write_text(ONLY_THE_TRACE)
    _cli("migrate", "--write", "-q", "--target-version", "2.13", str(static), cwd=str(tmp_path))
    reported = _cli("check", "--target-version", "2.13", str(static), cwd=str(tmp_path))
    assert b":14:8: TC221" in reported.stdout  # reported, not rewritten: the era alone does not prove it
    failed = _plain(sys.executable, str(static))
    assert failed.returncode != 0  # statically neither fix is provable
    assert b"IndexError" in failed.stderr
    run = _cli("run", "--trace", "t.json", "job.py", cwd=str(traced.parent))
    assert run.returncode == 0 and b"RESULT [20, 30] 1.000" in run.stdout, run.stderr.decode()
    trace = str(traced.parent / "t.json")
    _cli("migrate", "--write", "-q", "--target-version", "2.13", "--trace", trace, str(traced), cwd=str(tmp_path))
    text = traced.read_text()
    assert "rows = batch // 2" in text and "return value.item()" in text
    done = _plain(sys.executable, str(traced))
    assert done.returncode == 0 and b"RESULT [20, 30] 1.000" in done.stdout, done.stderr.decode()
    again = _cli("migrate", "--check", "--target-version", "2.13", "--trace", trace, str(traced), cwd=str(tmp_path))
    assert again.returncode == 0  # idempotent with the trace


def _examples():
    if not os.path.isdir(EXAMPLES):
        return []
    return sorted(f for f in os.listdir(EXAMPLES) if re.match(r"v\d+_.*\.py$", f))


def _result(proc):
    found = re.findall(r"^RESULT \S+ (\S+)$", proc.stdout.decode(), re.M)
    assert proc.returncode == 0 and found, proc.stderr.decode()[-3000:]
    return float(found[-1])


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["target", "portable"])
@pytest.mark.parametrize("script", _examples())
def test_legacy_example_migrated_from_its_own_trace(tmp_path, script, mode):
    from tests.test_migrate_legacy_examples import _within_tolerance

    dest = tmp_path / script
    shutil.copyfile(os.path.join(EXAMPLES, script), str(dest))
    os.chmod(str(dest), 0o644)
    run = _cli("run", "--trace", "t.json", script, cwd=str(tmp_path))
    assert run.returncode == 0, run.stderr.decode()[-2000:]
    flags = ["--target-version", "2.13"] if mode == "target" else ["--portable"]
    proc = _cli("migrate", "--write", "-q", *flags, "--trace", "t.json", script, cwd=str(tmp_path))
    assert proc.returncode in (0, 1), proc.stderr.decode()
    if mode == "target":
        assert "torchcompat" not in dest.read_text()
        assert _within_tolerance(script, _result(_plain(sys.executable, str(dest))))
    else:
        assert _within_tolerance(script, _result(_plain(sys.executable, str(dest), block=False)))
        if not os.path.exists(OLD_PYTHON):
            pytest.skip("no torch 1.0.1 venv at %s" % OLD_PYTHON)
        assert _within_tolerance(script, _result(_plain(OLD_PYTHON, str(dest), block=False)))
    again = _cli("migrate", "--check", *flags, "--trace", "t.json", script, cwd=str(tmp_path))
    assert again.returncode == 0, again.stdout.decode()[-2000:]  # idempotent with the trace


def test_iteration_over_a_zero_dim_tensor_seen_is_reported():
    text = "import torch\nfor v in total:\n    print(v, range(2))\n"
    event = dict(_event("iter", 2, 0, 22, [{"dtype": "float32", "shape": []}]), end_line=3)
    result = _migrate(text, [event])
    found = [f for f in result.findings if f.code == "TC163"]
    assert found and "0-dim tensor seen in the trace" in found[0].message and result.text == text
    assert not [f for f in process_text(text, Options()).findings if f.code == "TC163"]  # statically unknown


def test_comprehension_loops_with_a_trace_do_not_crash():
    text = "import torch\nvals = [v for v in torch.arange(3)]\n"
    event = _event("iter", 2, 7, 35, [{"dtype": "int64", "shape": [3]}])
    result = _migrate(text, [event])
    assert result.error is None
    found = [f for f in result.findings if f.code == "TC163"]
    assert found and "seen: int64[3]" in found[0].message
