"""The migration engine and CLI: targets, selection, safety (unparsable files, CRLF, BOM, encoding
cookies, tabs, comments, atomic writes, no rewrite without findings), formats, stdin, folder walking,
parallel runs, and running without torch."""

from __future__ import annotations

import io
import json
import os
import re
import sys
import textwrap

import pytest

from tests import procs
from tests.migrate_helpers import LEGACY_CAUSES, legacy_source

pytestmark = pytest.mark.skipif(sys.version_info < (3, 8), reason="the migration tool needs Python >= 3.8")

LEGACY = textwrap.dedent(
    """\
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    from torch.autograd import Variable

    x = Variable(torch.randn(4, 3))
    crit = nn.CrossEntropyLoss(size_average=False)
    loss = crit(F.softmax(x.view(4, 3)), torch.zeros(4).long())
    print(loss.data[0])
    """
)


def _tc(*args, stdin=None, env=None):
    """Run ``python -m torchcompat`` in a subprocess; returns (rc, stdout, stderr)."""
    proc = procs.run([sys.executable, "-m", "torchcompat"] + list(args), input=stdin, capture_output=True, env=env)
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")


def _main(argv, capsys=None):
    from torchcompat.cli import main

    return main(list(argv))


def _write(path, data):
    with open(str(path), "wb") as handle:
        handle.write(data)


def _read(path):
    with open(str(path), "rb") as handle:
        return handle.read()


# --- engine ------------------------------------------------------------------------------------


def test_target_version_gates_fixes():
    from torchcompat.migrate.engine import Options, process_text

    # declared older than softmax's dim= (0.3): the meaning rule TC301 may then rewrite
    old = process_text(LEGACY, Options(target="0.3", fix=True, source="0.2"))
    codes = {f.code for f in old.findings}
    assert {"TC101", "TC302", "TC103", "TC301"} <= codes
    # reduction= needs 0.4.1 and .item() 0.4: reported, not rewritten for a 0.3 target
    assert "size_average=False" in old.text and ".data[0]" in old.text
    assert "dim=1" in old.text  # dim= exists from 0.3 on
    new = process_text(LEGACY, Options(target="0.4.1", fix=True))
    assert "reduction='sum'" in new.text and "loss.item()" in new.text


def test_select_and_ignore_by_code_and_prefix():
    from torchcompat.migrate.engine import Options, process_text

    only = process_text(LEGACY, Options(target="2.13", select=("TC3",)))
    assert {f.code for f in only.findings} == {"TC301", "TC302"}
    rest = process_text(LEGACY, Options(target="2.13", ignore=("TC3", "TC101")))
    assert {f.code for f in rest.findings} == {"TC103"}


def test_safe_only_skips_unsafe_fixes():
    from torchcompat.migrate.engine import RULES, Options, process_text

    assert not RULES["TC103"].safe and RULES["TC101"].safe
    result = process_text(LEGACY, Options(target="2.13", fix=True, safe_only=True))
    assert "loss.data[0]" in result.text  # TC103 is unsafe
    assert "Variable(" not in result.text.split("import Variable")[1]


def test_names_are_resolved_through_imports_not_text():
    from torchcompat.migrate.engine import Options, process_text

    source = textwrap.dedent(
        """\
        import mylib as F
        from torch.autograd import Variable as V
        y = F.sigmoid(x)
        z = Variable(x)
        w = V(x)
        """
    )
    result = process_text(source, Options(target="2.13", fix=True))
    assert result.text.splitlines()[2] == "y = F.sigmoid(x)"  # not torch's F
    assert result.text.splitlines()[3] == "z = Variable(x)"  # Variable never imported
    assert result.text.splitlines()[4] == "w = x"


def test_module_level_rebinding_makes_a_name_ambiguous():
    from torchcompat.migrate.engine import Options, process_text

    source = "import torch.nn.functional as F\nF = other\ny = F.sigmoid(x)\n"
    assert process_text(source, Options(target="2.13")).findings == []


def test_unparsable_source_is_an_error_and_unchanged():
    from torchcompat.migrate.engine import Options, process_text

    source = "import torch\nx = torch.autograd.Variable(y)\ndef broken(:\n    pass\n"
    result = process_text(source, Options(target="2.13", fix=True))
    assert result.error and "SyntaxError" in result.error
    assert result.text == source and not result.changed


def test_file_no_rule_can_fire_on_is_not_parsed():
    """No rule's hint in the text: the file is never parsed, so syntax newer than the running Python
    (torch's own py312_intrinsics.py on 3.11) is not an error."""
    from torchcompat.migrate.engine import Options, process_text

    source = "import torch\ndef broken(:\n    pass\n"
    result = process_text(source, Options(target="2.13", fix=True))
    assert result.error is None and not result.findings and not result.changed


def test_async_kwarg_file_parses_after_token_pass():
    from torchcompat.migrate.engine import Options, process_text

    source = "import torch\nx = torch.ones(2).cuda(async=True)\ny = F.softmax(x.view(1, 2))\n"
    result = process_text(source, Options(target="2.13"))
    assert result.error is None
    assert [f.code for f in result.findings] == ["TC201"]  # F is not imported: nothing else
    assert (result.findings[0].line, result.findings[0].col) == (2, 24)


def test_a_crashing_rule_is_reported_for_the_file_and_the_run_goes_on(tmp_path, monkeypatch):
    import ast as ast_module

    from torchcompat.migrate import engine
    from torchcompat.migrate.runner import process_path

    def boom(node, ctx):
        raise ValueError("boom")

    broken = engine.Rule("TC999", "boom", "ag-volatile", "m", "d", "0.4", True, True, "plain", (ast_module.Call,), boom)
    monkeypatch.setitem(engine.RULES, "TC999", broken)
    monkeypatch.setattr(engine, "_ENABLED_CACHE", {})
    path = tmp_path / "x.py"
    _write(path, LEGACY.encode())
    report = process_path(str(path), engine.Options(fix=True), write=True)
    assert report.error and "TC999" in report.error and "boom" in report.error
    assert _read(path) == LEGACY.encode()


def test_files_without_torch_are_skipped_quickly():
    from torchcompat.migrate.engine import Options, process_text

    assert process_text("x = 1\n" * 1000, Options()).findings == []


def test_rules_are_faces_of_registry_records():
    from torchcompat.migrate.engine import RULES
    from torchcompat.registry import REGISTRY

    for code, r in RULES.items():
        shift = REGISTRY.get(r.shift)
        assert any(face is r for face in shift.faces.get("rule", [])), code
        assert re.match(r"^TC[1-9]\d\d$", code)
        assert r.message and r.docs and r.min_version


# --- safety through the CLI ---------------------------------------------------------------------


def test_unparsable_file_left_untouched_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.py"
    data = b"import torch\nx = Variable(torch.ones(1)\n"
    _write(bad, data)
    good = tmp_path / "good.py"
    _write(good, LEGACY.encode())
    rc = _main(["migrate", "--write", "-q", str(tmp_path)])
    err = capsys.readouterr().err
    assert rc == 2
    assert "bad.py" in err and "error" in err
    assert _read(bad) == data
    assert b"Variable(" not in _read(good).split(b"import Variable")[1]  # the other file is still fixed
    assert _main(["check", "-q", str(bad)]) == 2


def test_crlf_bom_and_comments_survive(tmp_path):
    path = tmp_path / "crlf.py"
    body = ("# top comment\r\n" + LEGACY.replace("\n", "  # note\n", 1).replace("\n", "\r\n")).encode("utf-8")
    _write(path, b"\xef\xbb\xbf" + body)
    assert _main(["migrate", "--write", "-q", "--portable", str(path)]) == 1
    out = _read(path)
    assert out.startswith(b"\xef\xbb\xbf")
    assert b"\n" not in out.replace(b"\r\n", b"")  # every line ending (inserted ones too) is CRLF
    assert b"import torchcompat as tc\r\n" in out
    assert b"# top comment\r\n" in out and b"# note" in out
    assert b"tc.item(loss)" in out


def test_encoding_cookie_and_latin1_survive(tmp_path):
    path = tmp_path / "latin.py"
    text = "# -*- coding: latin-1 -*-\n# caf\xe9\nimport torch\nimport torch.nn.functional as F\ny = F.tanh(x)  # d\xe9j\xe0\n"
    _write(path, text.encode("latin-1"))
    assert _main(["migrate", "--write", "-q", "--target-version", "2.13", str(path)]) == 1
    out = _read(path)
    assert out == text.replace("F.tanh", "torch.tanh").encode("latin-1")


def test_tabs_are_kept_in_new_blocks(tmp_path):
    path = tmp_path / "tabs.py"
    text = (
        "import torch\nfrom torch.autograd import Variable\n\ndef ev(m, x):\n"
        "\tv = Variable(x, volatile=True)\n\ty = m(v)\n\treturn y\n"
    )
    _write(path, text.encode())
    assert _main(["migrate", "--write", "-q", "--target-version", "2.13", str(path)]) == 1
    assert _read(path).decode() == (
        "import torch\nfrom torch.autograd import Variable\n\ndef ev(m, x):\n"
        "\twith torch.no_grad():\n\t\tv = x\n\t\ty = m(v)\n\t\treturn y\n"
    )


def test_atomic_write_keeps_mode_and_leaves_no_temp_files(tmp_path):
    path = tmp_path / "mode.py"
    _write(path, LEGACY.encode())
    os.chmod(str(path), 0o640)
    inode = os.stat(str(path)).st_ino
    assert _main(["migrate", "--write", "-q", str(path)]) == 1
    st = os.stat(str(path))
    assert st.st_mode & 0o777 == 0o640
    assert st.st_ino != inode  # replaced by rename, not rewritten in place
    assert sorted(os.listdir(str(tmp_path))) == ["mode.py"]


def test_write_through_a_symlink_keeps_the_link(tmp_path):
    real = tmp_path / "real.py"
    _write(real, LEGACY.encode())
    link = tmp_path / "link.py"
    os.symlink(str(real), str(link))
    assert _main(["migrate", "--write", "-q", str(link)]) == 1
    assert os.path.islink(str(link))
    assert b"reduction='sum'" in _read(real)


def test_no_findings_means_no_rewrite_and_second_run_is_a_noop(tmp_path):
    path = tmp_path / "m.py"
    _write(path, LEGACY.encode())
    assert _main(["migrate", "--write", "-q", "--target-version", "2.13", str(path)]) == 1
    first = _read(path)
    before = os.stat(str(path))
    assert _main(["migrate", "--write", "-q", "--target-version", "2.13", str(path)]) == 0
    after = os.stat(str(path))
    assert _read(path) == first
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)
    assert _main(["migrate", "--check", "-q", "--target-version", "2.13", str(path)]) == 0


def test_migrate_default_prints_a_diff_and_writes_nothing(tmp_path, capsys):
    path = tmp_path / "d.py"
    _write(path, LEGACY.encode())
    assert _main(["migrate", "-q", "--target-version", "2.13", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("--- %s\n+++ %s\n" % (path, path))
    assert "\n-x = Variable(torch.randn(4, 3))\n" in out and "\n+x = torch.randn(4, 3)\n" in out
    assert _read(path) == LEGACY.encode()
    assert _main(["migrate", "--check", "-q", str(path)]) == 1
    assert "would rewrite" in capsys.readouterr().out


# --- CLI formats --------------------------------------------------------------------------------


def test_check_text_format_and_exit_codes(tmp_path, capsys):
    path = tmp_path / "c.py"
    _write(path, LEGACY.encode())
    assert _main(["check", str(path)]) == 1
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines and all(re.match(r"^.+:\d+:\d+: TC\d{3} .+$", line) for line in lines)
    assert "%s:6:5: TC101 " % path in captured.out
    assert "TC101" in captured.err and "Found" in captured.err  # per-rule summary on stderr
    clean = tmp_path / "clean.py"
    _write(clean, b"import torch\nprint(torch.ones(1).item())\n")
    assert _main(["check", str(clean)]) == 0
    assert _main(["check", "--exit-zero", "-q", str(path)]) == 0


def test_bad_arguments_exit_2(tmp_path, capsys):
    path = tmp_path / "a.py"
    _write(path, LEGACY.encode())
    assert _main(["check", "--target-version", "two", str(path)]) == 2
    assert "--target-version" in capsys.readouterr().err
    assert _main(["migrate", "--select", "E501", str(path)]) == 2
    assert _read(path) == LEGACY.encode()


def test_json_and_sarif(tmp_path, capsys):
    path = tmp_path / "j.py"
    _write(path, LEGACY.encode())
    assert _main(["check", "--format", "json", str(path)]) == 1
    data = json.loads(capsys.readouterr().out)
    assert {f["code"] for f in data["findings"]} >= {"TC101", "TC302", "TC103", "TC301"}
    assert all(f["path"] == str(path) and f["line"] >= 1 for f in data["findings"])
    assert data["summary"]["TC101"] == 1
    assert _main(["check", "--format", "sarif", str(path)]) == 1
    sarif = json.loads(capsys.readouterr().out)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert all(res["ruleId"] == ids[res["ruleIndex"]] for res in run["results"])
    assert run["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1


def test_stdin(tmp_path):
    rc, out, _ = _tc("check", "-q", "-", stdin=LEGACY.encode())
    assert rc == 1 and out.startswith("-:6:5: TC101")
    rc, out, _ = _tc("migrate", "--write", "-q", "--target-version", "2.13", "-", stdin=LEGACY.encode())
    assert rc == 1
    assert "x = torch.randn(4, 3)\n" in out and "reduction='sum'" in out and "---" not in out


def test_rules_command():
    rc, out, _ = _tc("rules", "--format", "json")
    assert rc == 0
    rules = json.loads(out)
    codes = [r["code"] for r in rules]
    assert codes == sorted(codes) and "TC101" in codes and "TC901" in codes
    assert all(set(r) >= {"code", "shift", "message", "docs", "min_version", "safe"} for r in rules)
    rc, out, _ = _tc("rules")
    assert rc == 0 and "TC104" in out and "unsafe" in out


def test_folders_skip_hidden_venv_and_gitignored(tmp_path, capsys):
    for rel in ("pkg/a.py", "pkg/sub/b.py", ".hidden/c.py", "venv/lib/d.py", "build/e.py", "pkg/gen_x.py"):
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        _write(p, LEGACY.encode())
    _write(tmp_path / "venv" / "pyvenv.cfg", b"home = /usr\n")
    _write(tmp_path / ".gitignore", b"# comment\nbuild/\ngen_*.py\n")
    from torchcompat.migrate.files import iter_python_files

    found = sorted(os.path.relpath(p, str(tmp_path)) for p in iter_python_files([str(tmp_path)]))
    assert found == [os.path.join("pkg", "a.py"), os.path.join("pkg", "sub", "b.py")]
    # a file named explicitly is always checked
    assert list(iter_python_files([str(tmp_path / "build" / "e.py")])) == [str(tmp_path / "build" / "e.py")]


def test_parallel_run_matches_serial(tmp_path):
    from torchcompat.migrate.engine import Options
    from torchcompat.migrate.runner import run

    paths = []
    for i in range(60):
        p = tmp_path / ("f%02d.py" % i)
        _write(p, (LEGACY + "y%d = F.tanh(x)\n" % i).encode())
        paths.append(str(p))
    serial = run(paths, Options(target="2.13"), jobs=1)
    parallel = run(paths, Options(target="2.13"), jobs=2)
    assert [r.path for r in parallel] == paths
    assert [[(f.code, f.line, f.col) for f in r.findings] for r in serial] == [
        [(f.code, f.line, f.col) for f in r.findings] for r in parallel
    ]


def test_works_without_torch(tmp_path):
    path = tmp_path / "n.py"
    _write(path, LEGACY.encode())
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "from torchcompat.cli import main\n"
        "rc = main(['check', '-q', %r])\n"
        "rc2 = main(['migrate', '-q', '--portable', %r])\n"
        "assert sys.modules['torch'] is None\n"
        "assert not any(m.startswith('torch.') for m in sys.modules), sorted(m for m in sys.modules if m.startswith('torch.'))\n"
        "sys.exit(rc * 10 + rc2)\n" % (str(path), str(path))
    )
    proc = procs.run([sys.executable, "-c", code], capture_output=True)
    assert proc.returncode == 11, proc.stderr.decode()
    assert b"TC101" in proc.stdout and b"tc.item(loss)" in proc.stdout


def test_io_module_unused_guard():
    assert io  # keep the import list honest for Python 3.7 collection


# --- the shared legacy examples (0.3/0.4-era scripts) -----------------------------------------------

LEGACY_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "legacy-examples")


@pytest.mark.skipif(not os.path.isdir(LEGACY_DIR), reason="../shared/legacy-examples is not here")
@pytest.mark.parametrize("name", sorted(LEGACY_CAUSES))
def test_legacy_examples_causes_named_and_migrations_stable(name):
    from torchcompat.migrate.engine import Options, process_text

    with open(os.path.join(LEGACY_DIR, name), encoding="utf-8") as handle:
        source = handle.read()
    era = legacy_source(source)  # the era its docstring names: meaning rules rewrite only older code
    found = process_text(source, Options(target="2.13", source=era))
    assert LEGACY_CAUSES[name] <= {f.code for f in found.findings}
    for options in (Options(target="2.13", fix=True, source=era), Options(portable=True, fix=True, source=era)):
        result = process_text(source, options)
        assert result.error is None and result.changed
        assert process_text(result.text, options).text == result.text
        assert ("import torchcompat as tc" in result.text) == (options.portable and "tc." in result.text)
        for code in LEGACY_CAUSES[name]:
            assert code in result.fixed


def test_old_python_gets_a_clear_error():
    """On Python 3.7 (no ast end positions) the commands refuse cleanly; emulated here by lowering
    the engine's minimum check (the real 3.7 run is the t1.0 venv's collection of this module)."""
    from torchcompat.migrate import cli, engine

    saved = engine.MIN_PYTHON
    engine.MIN_PYTHON = (99, 0)
    try:
        with pytest.raises(cli.UsageError, match="needs Python >= 99.0"):
            cli._validate(type("A", (), {"target_version": None, "select": "", "ignore": ""})())
    finally:
        engine.MIN_PYTHON = saved
