"""Notebooks: reading ``.ipynb`` (nbformat 4 and 3) exactly, IPython syntax masked and never changed, ``check`` /
``migrate`` with findings at ``cell N:line:col`` and rewrites that keep every byte outside the changed cells'
sources (several JSON styles, written here, and real 2018 notebooks from the cache when present), and
``torchcompat run`` of a 0.3-style notebook (tests/data/notebooks) on the installed torch."""

from __future__ import annotations

import copy
import glob
import json
import os
import re
import shutil
import stat
import sys

import pytest

from tests import places, procs
from torchcompat import notebook
from torchcompat.notebook import NotebookError, cell_position, mask, script_from_notebook

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "tests", "data", "notebooks")
#: real notebooks nobody here wrote, fetched into the cache (tests/places.py), never committed: spro/practical-pytorch
#: (2018 tutorials, with its data/ folder) and any others under cache/notebooks
PRACTICAL = places.cached("practical-pytorch")
CACHE = os.environ.get("TORCHCOMPAT_NOTEBOOK_CACHE", places.cached("notebooks"))
REAL = sorted(
    {
        os.path.realpath(p)
        for top in (PRACTICAL, CACHE)
        for p in glob.glob(os.path.join(top, "**", "*.ipynb"), recursive=True)
    }
)
needs_migrate = pytest.mark.skipif(sys.version_info < (3, 8), reason="the migration tool needs Python >= 3.8")

OLD = "import torch\nfrom torch.autograd import Variable\nx = Variable(torch.ones(2))\nprint(x.sum().data[0])"
NEW = "import torch\nx = torch.ones(2)\nprint(x.sum().item())"  # a hand-written new source (format tests)
CLEAN = "import torch\nprint(torch.ones(2).sum().item())"


def _code(source, count=None, outputs=(), list_source=True, **extra):
    cell = {"cell_type": "code", "execution_count": count, "metadata": {"scrolled": True}, "outputs": list(outputs)}
    cell["source"] = source.splitlines(True) if list_source else source
    cell.update(extra)
    return cell


def _markdown(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text.splitlines(True)}


def _notebook(first, list_source=True, version=4):
    """Markdown with non-ASCII text, a cell with outputs, ``first`` (the cell to migrate), a magic cell."""
    outputs = [
        {"name": "stdout", "output_type": "stream", "text": ["tensor(2.)\n"]},
        {
            "data": {"image/png": "iVBORw0KGgo=\n", "text/plain": ["<Figure>"]},
            "metadata": {},
            "output_type": "display_data",
        },
    ]
    cells = [
        _markdown("# Régression — a café tutorial ✓"),
        _code("%matplotlib inline\nimport numpy as np", 1, list_source=list_source, id="c-1"),
        _code(first, 2, outputs, list_source=list_source, id="c-2"),
        _code("!pip install torch==0.3.1\nnp.ones(3)?", 3, list_source=list_source, id="c-3"),
    ]
    meta = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
    if version == 3:
        for cell in cells:
            if cell["cell_type"] == "code":
                cell["input"] = cell.pop("source")
                cell.pop("id")
        return {"metadata": meta, "nbformat": 3, "nbformat_minor": 0, "worksheets": [{"cells": cells, "metadata": {}}]}
    return {"cells": cells, "metadata": meta, "nbformat": 4, "nbformat_minor": 5}


def _unsorted(data):
    """The same notebook with its keys in another order (a writer that does not sort keys)."""
    if isinstance(data, dict):
        return {k: _unsorted(data[k]) for k in sorted(data, reverse=True)}
    if isinstance(data, list):
        return [_unsorted(v) for v in data]
    return data


#: name -> (writer of bytes, sources as lists?, nbformat): the formatting styles met in the wild
STYLES = {
    "nbformat": (lambda d: (json.dumps(d, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode(), True, 4),
    "indent2-unsorted-ascii": (lambda d: json.dumps(_unsorted(d), indent=2).encode(), True, 4),
    "compact-string-sources": (lambda d: json.dumps(d).encode(), False, 4),
    "compact-no-spaces": (lambda d: json.dumps(d, separators=(",", ":"), ensure_ascii=False).encode(), True, 4),
    "crlf-bom": (
        lambda d: b"\xef\xbb\xbf" + json.dumps(d, indent=1, sort_keys=True).replace("\n", "\r\n").encode(),
        True,
        4,
    ),
    "nbformat3": (lambda d: (json.dumps(d, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode(), True, 3),
}


def _with_source(data, number, source):
    """``data`` with code cell ``number`` (1-based among all cells) given ``source``, in the same layout."""
    data = copy.deepcopy(data)
    cells = data["cells"] if "cells" in data else data["worksheets"][0]["cells"]
    cell = cells[number - 1]
    key = "source" if "source" in cell else "input"
    cell[key] = source.splitlines(True) if isinstance(cell[key], list) else source
    return data


def _migrated(source):
    """What ``migrate`` makes of ``source`` as a plain ``.py`` file: a notebook cell must become the same."""
    from torchcompat.migrate.engine import Options, process_text

    result = process_text(source, Options(fix=True, target="2.13"))
    assert result.changed
    return result.text


def _process(path, write=False, **options):
    from torchcompat.migrate.engine import Options
    from torchcompat.migrate.runner import process_path

    return process_path(
        str(path), Options(fix=write or options.pop("fix", False), target="2.13"), write=write, **options
    )


# -- reading, and the exact write-back ------------------------------------------------------------------------
@pytest.mark.parametrize("style", sorted(STYLES))
def test_unchanged_sources_give_the_same_bytes(style):
    write, lists, version = STYLES[style]
    data = write(_notebook(OLD, lists, version))
    nb = notebook.parse(data)
    assert [c.number for c in nb.cells] == [2, 3, 4]
    assert nb.cells[1].source == OLD
    assert nb.encoded(nb.with_sources({})) == data
    assert nb.encoded(nb.with_sources({c.number: c.source for c in nb.cells})) == data


@pytest.mark.parametrize("style", sorted(STYLES))
def test_a_changed_cell_is_written_as_the_files_own_writer_would(style):
    """Only the changed cell's source differs, formatted as the writer of the file formats it: the same
    indentation, separators, key order, escapes and line endings (compared with that writer's output)."""
    write, lists, version = STYLES[style]
    data = write(_notebook(OLD, lists, version))
    nb = notebook.parse(data)
    assert nb.encoded(nb.with_sources({3: NEW})) == write(_with_source(_notebook(OLD, lists, version), 3, NEW))


def test_non_ascii_in_a_new_line_follows_the_files_escaping():
    for ensure_ascii in (True, False):
        data = json.dumps(_notebook(OLD), indent=1, ensure_ascii=ensure_ascii).encode()
        new = notebook.parse(data).with_sources({3: NEW + "\nprint('é')"})
        assert new == json.dumps(
            _with_source(_notebook(OLD), 3, NEW + "\nprint('é')"), indent=1, ensure_ascii=ensure_ascii
        )


def test_not_a_notebook_is_a_clear_error():
    for data, words in (
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "no nbformat"),
        (b'{"nbformat": 2, "worksheets": []}', "nbformat 2"),
        (b"\xff\xfe{}", "not UTF-8"),
    ):
        with pytest.raises(NotebookError, match=words):
            notebook.parse(data)


# -- IPython syntax --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "source, kinds",
    [
        ("%matplotlib inline\nimport torch", [(1, "line")]),
        (
            "import os\n!pip install torch==0.3.1\nfiles = !ls\nx = %env HOME",
            [(2, "shell"), (3, "assign"), (4, "assign")],
        ),
        ("?torch.cat\ntorch.cat?\ntorch.cat??\nx = 1", [(1, "help"), (2, "help"), (3, "help")]),
        ("for i in range(2):\n    !echo $i\n    %time f(i)", [(2, "shell"), (3, "line")]),
        ("%%time\nx = Variable(torch.ones(1))", [(1, "cell")]),
        ("\n%%bash\nls -l\necho '\nx?", [(2, "cell")]),
        ("%load_ext autoreload \\\n   extra\nx = 1", [(1, "line")]),
    ],
)
def test_magics_are_found_and_masked(source, kinds):
    masked = mask(source)
    assert [(m.line, m.kind) for m in masked.magics] == kinds
    assert len(notebook.lines_of(masked.text)) == len(notebook.lines_of(source))
    if masked.python:
        compile(masked.text, "<cell>", "exec")  # parses as Python
        for line, original in zip(notebook.lines_of(masked.text), notebook.lines_of(source)):
            if not any(m.line <= notebook.lines_of(source).index(original) + 1 <= m.end_line for m in masked.magics):
                assert line == original  # the Python lines are as they were
    else:
        assert not masked.text.strip()


@pytest.mark.parametrize(
    "source",
    [
        "x = (1\n% 2)",  # `%` continuing an expression
        'doc = """\n%s is it?\n!important\n"""',  # inside a string
        "y = 1  # why?\nprint('what?')",  # `?` in a comment or a string
        "get_ipython().run_line_magic('matplotlib', 'inline')",  # valid Python stays Python
        "if a != b:\n    pass",
    ],
)
def test_python_is_never_taken_for_a_magic(source):
    masked = mask(source)
    assert masked.magics == [] and masked.text == source


# -- check / migrate -------------------------------------------------------------------------------------------
@needs_migrate
def test_findings_name_the_cell_line_and_column(tmp_path, capsys):
    """Cell numbers count every cell (markdown too); names cross cells (the import in cell 2)."""
    from torchcompat import cli

    cells = [
        _markdown("# Title"),
        _code("import torch\nfrom torch.autograd import Variable"),
        _markdown("Some text"),
        _code("%matplotlib inline\nx = Variable(torch.ones(2))\ny = x.sum()\nprint(y.data[0])"),
    ]
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 2}, indent=1))
    code = cli.main(["check", str(path)])
    out = capsys.readouterr().out.splitlines()
    lines = cells[3]["source"]
    expected = [
        "%s:cell 4:2:%d: TC101" % (path, lines[1].index("Variable(") + 1),
        "%s:cell 4:4:%d: TC103" % (path, lines[3].index("y.data") + 1),
    ]
    assert code == 1
    assert [line[: line.index(" TC") + 6] for line in out] == expected
    assert cli.main(["check", "--format", "json", str(path)]) == 1
    found = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["cell"], f["line"], f["code"]) for f in found] == [(4, 2, "TC101"), (4, 4, "TC103")]


@needs_migrate
@pytest.mark.parametrize("style", sorted(STYLES))
def test_migrate_rewrites_only_the_changed_cell(style, tmp_path):
    """Outputs, metadata, ids, execution counts and every other byte stay; the magics are untouched; a second
    run changes nothing; a notebook with nothing to fix is not written at all."""
    write, lists, version = STYLES[style]
    path = tmp_path / "nb.ipynb"
    path.write_bytes(write(_notebook(OLD, lists, version)))
    report = _process(path, write=True)
    assert report.error is None and report.written
    assert sorted(report.fixed) == ["TC101", "TC103"]
    assert path.read_bytes() == write(_with_source(_notebook(OLD, lists, version), 3, _migrated(OLD)))
    again = _process(path, write=True)
    assert again.error is None and not again.changed and not again.written
    clean = tmp_path / "clean.ipynb"
    clean.write_bytes(write(_notebook(CLEAN, lists, version)))
    before = os.stat(str(clean)).st_mtime_ns
    report = _process(clean, write=True)
    assert report.error is None and not report.changed and os.stat(str(clean)).st_mtime_ns == before


@needs_migrate
def test_magic_lines_are_never_rewritten(tmp_path):
    """``.data[0]`` on a magic line is IPython's business: the Python lines around it are fixed, it is not."""
    source = "import torch\nx = torch.ones(2).sum()\n%time y = x.data[0]\nprint(x.data[0])\n!echo x.data[0]"
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"cells": [_code(source)], "metadata": {}, "nbformat": 4, "nbformat_minor": 2}))
    report = _process(path, write=True)
    assert report.error is None and report.written
    new = "".join(json.loads(path.read_text())["cells"][0]["source"])
    assert new == source.replace("print(x.data[0])", "print(x.item())")


@needs_migrate
def test_an_import_the_fix_needs_goes_into_a_cell_and_a_with_block_into_the_next(tmp_path):
    """Text inserted between two cells: whole statements (an import) end the earlier cell, the start of a
    statement (``with torch.no_grad():``) begins the later one."""
    path = tmp_path / "nb.ipynb"
    shutil.copy(os.path.join(DATA, "legacy_03.ipynb"), str(path))
    report = _process(path, write=True)
    assert report.error is None and report.written, report.error
    cells = json.loads(path.read_text())["cells"]
    last = "".join(cells[7]["source"])
    assert last.startswith("with torch.no_grad():\n    test = torch.ones(1, 1)\n")
    assert "".join(cells[6]["source"]) == "Variable?"
    assert "".join(cells[5]["source"]).startswith("%%time\nfor step in range(200):")
    original = json.load(open(os.path.join(DATA, "legacy_03.ipynb")))
    for old, new in zip(original["cells"], cells):  # outputs, ids, counts, metadata all kept
        assert {k: v for k, v in old.items() if k != "source"} == {k: v for k, v in new.items() if k != "source"}


@needs_migrate
def test_an_unparsable_cell_leaves_the_notebook_untouched(tmp_path):
    path = tmp_path / "nb.ipynb"
    cells = [_code(OLD), _markdown("py2"), _code('print "hello"')]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 2}))
    before = path.read_bytes()
    report = _process(path, write=True)
    assert report.kind == "parse" and "cell 3 line 1" in report.error
    assert path.read_bytes() == before


@needs_migrate
def test_a_fix_spanning_two_cells_is_refused(tmp_path, monkeypatch):
    """A changed region that crosses a cell boundary cannot be split between the cells: nothing is written."""
    from torchcompat.migrate import ipynb
    from torchcompat.migrate.engine import Result

    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"cells": [_code("a = 1"), _code("b = 2")], "metadata": {}, "nbformat": 4}))
    before = path.read_bytes()

    def crossing(text, options):  # joins `a = 1` to `b = 2`: "a = 12"
        assert text == "# %% cell 1\na = 1\n# %% cell 2\nb = 2\n"
        start, end = text.index("a = 1") + 5, text.index("b = 2") + 4
        return Result([], text[:start] + text[end:], changed=True, regions=[(start, end, start, start)])

    monkeypatch.setattr(ipynb, "process_text", crossing)
    report = _process(path, write=True)
    assert report.kind == "bug" and "spans cells 1 and 2" in report.error
    assert path.read_bytes() == before


@needs_migrate
def test_read_only_notebooks_need_force_readonly(tmp_path):
    path = tmp_path / "nb.ipynb"
    path.write_bytes(STYLES["nbformat"][0](_notebook(OLD)))
    os.chmod(str(path), 0o444)
    before = path.read_bytes()
    report = _process(path, write=True)
    assert report.kind == "readonly" and path.read_bytes() == before
    report = _process(path, write=True, force_readonly=True)
    assert report.written and stat.S_IMODE(os.stat(str(path)).st_mode) == 0o444
    assert path.read_bytes() != before


@needs_migrate
def test_folders_include_notebooks_but_not_checkpoints(tmp_path):
    from torchcompat.migrate.files import iter_python_files

    (tmp_path / ".ipynb_checkpoints").mkdir()
    for name in ("a.ipynb", "b.py", "c.txt", ".ipynb_checkpoints/a-checkpoint.ipynb"):
        (tmp_path / name).write_text("{}")
    found = sorted(os.path.relpath(p, str(tmp_path)) for p in iter_python_files([str(tmp_path)]))
    assert found == ["a.ipynb", "b.py"]


@needs_migrate
def test_a_notebook_of_another_language_is_left_alone(tmp_path):
    data = _notebook("library(torch)\nx <- torch_ones(2)")
    data["metadata"]["kernelspec"]["language"] = "R"
    path = tmp_path / "r.ipynb"
    path.write_text(json.dumps(data))
    report = _process(path, write=True)
    assert report.error is None and report.findings == [] and not report.changed


@needs_migrate
@pytest.mark.skipif(not REAL, reason="no real notebooks in %s or %s (fetched, never committed)" % (PRACTICAL, CACHE))
@pytest.mark.parametrize("path", REAL, ids=[os.path.relpath(p, os.path.realpath(places.CACHE)) for p in REAL])
def test_real_notebooks_round_trip_and_migrate_exactly(path, tmp_path):
    """A real notebook (2018 tutorials): the same bytes back when nothing changes; after migrate, the same
    notebook except the changed code cells' sources, whose IPython lines are unchanged; a second run
    changes nothing."""
    data = open(path, "rb").read()
    nb = notebook.parse(data)
    assert nb.encoded(nb.with_sources({})) == data
    copy_path = tmp_path / os.path.basename(path)
    copy_path.write_bytes(data)
    report = _process(copy_path, write=True)
    assert report.error is None, report.error
    new = notebook.parse(copy_path.read_bytes())
    before, after = json.loads(data.decode("utf-8")), json.loads(copy_path.read_text(encoding="utf-8"))
    for old_cell, new_cell in zip(notebook._all_cells(before), notebook._all_cells(after)):
        assert {k: v for k, v in old_cell.items() if k != "source"} == {
            k: v for k, v in new_cell.items() if k != "source"
        }
    assert [c.number for c in new.cells] == [c.number for c in nb.cells]
    for old_cell, new_cell in zip(nb.cells, new.cells):
        assert [m.text for m in mask(old_cell.source).magics] == [m.text for m in mask(new_cell.source).magics]
    again = _process(copy_path, write=True)
    assert again.error is None and not again.changed
    from torchcompat.migrate.ipynb import join_cells

    script = script_from_notebook(path)[0]  # the run's lines are the analysed text's lines
    assert join_cells(nb)[0] == notebook.code_text(nb)
    assert len(notebook.lines_of(script)) == len(notebook.lines_of(notebook.code_text(nb)))


# -- torchcompat run -------------------------------------------------------------------------------------------
def test_script_from_notebook_keeps_cells_in_order_with_notes(tmp_path):
    cells = [
        _markdown("# Title"),
        _code("%matplotlib inline\nimport math"),
        _code("%%bash\necho hi"),
        _code("%time y = math.sqrt(4)\n!pip install x\nfiles = !ls\nmath?"),
        _code("%%time\nz = y + 1"),
        _code("%%timeit\nmath.sqrt(2)"),
    ]
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 2}))
    script, notes = script_from_notebook(str(path))
    namespace = {}
    exec(compile(script, str(path), "exec"), namespace)
    assert namespace["y"] == 2.0 and namespace["z"] == 3.0 and "files" not in namespace
    assert notes == [
        "cell 2 line 1: skipped magic %matplotlib inline",
        "cell 3: skipped the cell magic %%bash (2 lines)",
        "cell 4 line 1: ran the statement of %time y = math.sqrt(4) without timing it",
        "cell 4 line 2: skipped shell command !pip install x",
        "cell 4 line 3: skipped files = !ls (its variable is not assigned)",
        "cell 4 line 4: skipped help math?",
        "cell 5 line 1: ran the cell without %%time",
        "cell 6: skipped the cell magic %%timeit",
    ]
    lines = script.splitlines()
    assert len(lines) == len(notebook.code_text(notebook.read(str(path))).splitlines())
    for number, cell in enumerate(cells, 1):
        if cell["cell_type"] != "code":
            continue
        for offset, _ in enumerate(cell["source"], 1):
            index = lines.index("# %% cell {}".format(number)) + offset
            assert cell_position(script, index + 1) == (number, offset)


def test_torchcompat_run_of_a_broken_notebook_says_why(tmp_path, capsys):
    from torchcompat import cli

    path = tmp_path / "broken.ipynb"
    path.write_text('{"cells": [')
    assert cli.main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert "broken.ipynb: not valid JSON" in err and "Traceback" not in err


def test_run_of_a_notebook_shows_cell_code_in_tracebacks_and_runs_in_its_folder(tmp_path):
    """Jupyter runs a notebook in its folder: ``run sub/nb.ipynb`` from elsewhere reads ``data.txt`` beside it
    (a note says so), and its traceback shows the cell's code line and the cell, never the notebook's JSON
    (the default hook of Python < 3.13 reads source lines from the file itself)."""
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "data.txt").write_text("41")
    cells = [
        _markdown("# t"),
        _code("%matplotlib inline\nvalue = int(open('data.txt').read()) + 1\nprint('VALUE', value)"),
        _code("y = 2\nraise ValueError('boom %d' % value)"),
    ]
    (folder / "nb.ipynb").write_text(
        json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 2}, indent=1)
    )
    proc = procs.run(
        [sys.executable, "-m", "torchcompat", "run", os.path.join("sub", "nb.ipynb")],
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONWARNINGS="ignore"),
        timeout=300,
    )
    assert proc.returncode == 1
    assert "VALUE 42" in proc.stdout
    real = os.path.realpath(str(folder))
    assert (
        "torchcompat run: %s: running in the notebook's folder %s, as Jupyter does\n"
        % (
            os.path.join("sub", "nb.ipynb"),
            real,
        )
        in proc.stderr
    )
    frame = '  File "%s", line 7, in <module>  [cell 3, line 2]\n' % os.path.join(str(tmp_path), "sub", "nb.ipynb")
    assert frame + "    raise ValueError('boom %d' % value)\n" in proc.stderr, proc.stderr
    assert proc.stderr.endswith("ValueError: boom 42\n") and '"source"' not in proc.stderr
    same = procs.run(  # run from the notebook's own folder: no note
        [sys.executable, "-m", "torchcompat", "run", "nb.ipynb"],
        cwd=str(folder),
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONWARNINGS="ignore"),
        timeout=300,
    )
    assert same.returncode == 1 and "VALUE 42" in same.stdout and "as Jupyter does" not in same.stderr


def _torch_regression():
    """What tests/data/notebooks/legacy_03.ipynb computes, written for today's torch in this process."""
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    x = torch.randn(32, 1)
    y = 2 * x + 1
    w = torch.zeros(1, 1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    for _ in range(200):
        loss = ((x.mm(w) + b - y) ** 2).mean()
        if w.grad is not None:
            w.grad.zero_()
            b.grad.zero_()
        loss.backward()
        with torch.no_grad():
            w -= 0.1 * w.grad
            b -= 0.1 * b.grad
    with torch.no_grad():
        test = torch.ones(1, 1).mm(w) + b
    return [
        "RESULT loss %.6f" % loss.item(),
        "RESULT w %.4f b %.4f" % (w[0][0].item(), b[0].item()),
        "RESULT test %.4f" % test[0][0].item(),
    ]


def test_torchcompat_run_runs_a_03_notebook(tmp_path):
    """``torchcompat run`` of a 0.3-style notebook (Variable, volatile=True, .data[0], magics, a help line)
    prints what the same computation gives on today's torch, with a note per skipped magic."""
    expected = _torch_regression()
    proc = procs.run(
        [sys.executable, "-m", "torchcompat", "run", os.path.join(DATA, "legacy_03.ipynb")],
        cwd=str(tmp_path),
        capture_output=True,
        env=dict(os.environ, PYTHONWARNINGS="ignore"),
        timeout=300,
    )
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert proc.returncode == 0, err
    assert [line for line in out.splitlines() if line.startswith("RESULT")] == expected
    assert "cell 2 line 1: skipped magic %matplotlib inline" in err
    assert "cell 3 line 1: skipped shell command !pip install torch==0.3.1" in err


@needs_migrate
def test_a_trace_of_a_notebook_run_is_evidence_for_migrate(tmp_path):
    """``torchcompat run --trace`` of a notebook records the script's lines, which are the lines migrate
    analyses: an integer ``/`` the run saw is rewritten in its cell (without the trace it is only reported)."""
    pytest.importorskip("torch")
    cells = [
        _markdown("# t"),
        _code("%matplotlib inline\nimport torch"),
        _code("a = torch.LongTensor([5, 7])\nb = a / 2"),
    ]
    path = tmp_path / "div.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 2}, indent=1))
    before = path.read_bytes()
    proc = procs.run(
        [sys.executable, "-m", "torchcompat", "run", "--trace", "t.json", "div.ipynb"],
        cwd=str(tmp_path),
        capture_output=True,
        env=dict(os.environ, PYTHONWARNINGS="ignore"),
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    from torchcompat.migrate.engine import Options
    from torchcompat.migrate.runner import run
    from torchcompat.migrate.trace import load_traces

    (without,) = run([str(path)], Options(fix=True, target="2.13"))
    assert [(f.cell, f.line, f.code, f.fixable) for f in without.findings] == [(3, 2, "TC221", False)]
    options = Options(fix=True, target="2.13", traces=load_traces([str(tmp_path / "t.json")]))
    (report,) = run([str(path)], options, write=True)
    assert report.error is None and report.written and report.fixed == {"TC221": 1}
    assert json.loads(path.read_text())["cells"][2]["source"] == ["a = torch.LongTensor([5, 7])\n", "b = a // 2"]
    assert path.read_bytes().replace(b"a // 2", b"a / 2") == before


@needs_migrate
def test_a_notebook_trace_still_applies_after_jupyter_reruns_it(tmp_path):
    """A trace fingerprints a notebook by its code text: the notebook run again in Jupyter (new outputs,
    execution counts, metadata; the same code) still gets the trace's evidence; a changed cell does not."""
    pytest.importorskip("torch")
    data = {"cells": [_code("import torch"), _code("a = torch.LongTensor([5, 7])\nb = a / 2")], "metadata": {}}
    data.update(nbformat=4, nbformat_minor=2)
    path = tmp_path / "div.ipynb"
    path.write_text(json.dumps(data, indent=1))
    proc = procs.run(
        [sys.executable, "-m", "torchcompat", "run", "--trace", "t.json", "div.ipynb"],
        cwd=str(tmp_path),
        capture_output=True,
        env=dict(os.environ, PYTHONWARNINGS="ignore"),
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    from torchcompat.migrate.engine import Options
    from torchcompat.migrate.runner import run
    from torchcompat.migrate.trace import load_traces

    rerun = copy.deepcopy(data)
    rerun["metadata"] = {"kernelspec": {"name": "python3", "language": "python"}}
    for count, cell in enumerate(rerun["cells"], 1):
        cell["execution_count"] = count
        cell["outputs"] = [{"name": "stdout", "output_type": "stream", "text": ["run %d\n" % count]}]
    path.write_text(json.dumps(rerun, indent=2))
    options = Options(fix=True, target="2.13", traces=load_traces([str(tmp_path / "t.json")]))
    (report,) = run([str(path)], options, write=True)
    assert report.error is None and report.fixed == {"TC221": 1}
    assert json.loads(path.read_text())["cells"][1]["source"] == ["a = torch.LongTensor([5, 7])\n", "b = a // 2"]
    edited = copy.deepcopy(rerun)
    edited["cells"][1]["source"] = ["a = torch.LongTensor([5, 7])\n", "c = 1\n", "b = a / 2"]
    path.write_text(json.dumps(edited, indent=2))
    (report,) = run([str(path)], Options(fix=True, target="2.13", traces=load_traces([str(tmp_path / "t.json")])))
    assert not report.fixed


@pytest.mark.slow
@pytest.mark.skipif(
    not os.path.isdir(os.path.join(PRACTICAL, "data")), reason="spro/practical-pytorch is not in the cache"
)
def test_a_2018_tutorial_notebook_runs(tmp_path):
    """spro/practical-pytorch's char-rnn-classification (2018: Variable, loss.data[0], LogSoftmax() without
    dim, %matplotlib inline) under ``torchcompat run``, its training cut to 3000 steps (edited through
    Notebook.with_sources on a copy) and run from its own folder, as Jupyter runs it. Its last cells plot."""
    pytest.importorskip("matplotlib")
    shutil.copytree(os.path.join(PRACTICAL, "data"), str(tmp_path / "data"))
    folder = tmp_path / "char-rnn-classification"
    folder.mkdir()
    source = os.path.join(PRACTICAL, "char-rnn-classification", "char-rnn-classification.ipynb")
    nb = notebook.read(source)
    (cell,) = [c for c in nb.cells if "n_epochs = 100000" in c.source]
    shorter = cell.source.replace("n_epochs = 100000", "n_epochs = 3000").replace(
        "print_every = 5000", "print_every = 1000"
    )
    (folder / "nb.ipynb").write_bytes(nb.encoded(nb.with_sources({cell.number: shorter})))
    proc = procs.run(
        [sys.executable, "-m", "torchcompat", "run", "nb.ipynb"],
        cwd=str(folder),
        capture_output=True,
        env=dict(os.environ, PYTHONWARNINGS="ignore", MPLBACKEND="Agg"),
        timeout=900,
    )
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert proc.returncode == 0, err[-3000:]
    assert "n_categories = 18" in out
    assert re.search(r"^3000 100% ", out, re.M), out[-2000:]
    assert "skipped magic %matplotlib inline" in err
