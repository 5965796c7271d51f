"""``torchcompat check`` and ``migrate`` never crash and never touch a file without saying so.

Read-only folders and files (the serial and the parallel path; with real permissions where the code
reads the mode bits itself or where privileges can be dropped, otherwise with the OS error simulated,
since root ignores file modes), exit codes, the wording of every outcome, symbolic links, keyword
insertion into the call's own argument list, the linear-time machinery (edit conflicts, diffs from the
tracked changed regions, byte columns), and progress shown only on a terminal.
"""

from __future__ import annotations

import errno
import gc
import importlib.util
import io
import os
import random
import re
import shutil
import stat
import sys
import tempfile

import pytest

from tests import procs

pytestmark = pytest.mark.skipif(sys.version_info < (3, 8), reason="the migration tool needs Python >= 3.8")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LEGACY = b"import torch\nimport torch.nn.functional as F\n\ny = F.sigmoid(x)\n"
FIXED = b"import torch\nimport torch.nn.functional as F\n\ny = torch.sigmoid(x)\n"
CLEAN = b"import torch\n\ny = torch.sigmoid(x)\n"
SUMMARY = re.compile(r"^Found \d+ findings? in \d+ of \d+ files?.*\.$")


def _main(argv):
    from torchcompat.cli import main

    return main([str(a) for a in argv])


def _write(path, data, mode=None):
    path = str(path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)
    if mode is not None:
        os.chmod(path, mode)


def _read(path):
    with open(str(path), "rb") as handle:
        return handle.read()


def _temp_files(folder):
    return [os.path.join(d, f) for d, _, files in os.walk(str(folder)) for f in files if f.startswith(".tc-migrate-")]


def _tree(root, read_only=10, writable=40):
    """``ro/`` and ``rw/`` folders of legacy files: enough of them together for the parallel path."""
    ro = [os.path.join(str(root), "ro", "m%02d.py" % i) for i in range(read_only)]
    rw = [os.path.join(str(root), "rw", "m%02d.py" % i) for i in range(writable)]
    for path in ro + rw:
        _write(path, LEGACY)
    return ro, rw


def _deny(monkeypatch, folder, where="mkstemp", log=None):
    """Make writing under ``folder`` fail as a read-only folder does for a normal user (root ignores
    the mode bits): ``tempfile.mkstemp`` or ``os.replace`` raise EACCES. Forked workers inherit it."""
    folder = os.path.realpath(str(folder))
    real_mkstemp, real_replace = tempfile.mkstemp, os.replace

    def note():
        if log is not None:
            open(os.path.join(str(log), "pid-%d" % os.getpid()), "w").close()

    def mkstemp(*args, **kwargs):
        where_to = kwargs.get("dir") or (args[2] if len(args) > 2 else None)
        if where_to and os.path.realpath(where_to).startswith(folder + os.sep) or where_to == folder:
            note()
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), where_to)
        return real_mkstemp(*args, **kwargs)

    def replace(src, dst, *args, **kwargs):
        if os.path.realpath(str(dst)).startswith(folder + os.sep):
            note()
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(dst))
        return real_replace(src, dst, *args, **kwargs)

    if where == "mkstemp":
        monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    else:
        monkeypatch.setattr(os, "replace", replace)


def _summary(err):
    lines = [line for line in err.splitlines() if SUMMARY.match(line)]
    assert len(lines) == 1, err
    return lines[0]


# --- a read-only folder with --write -------------------------------------------------------------


@pytest.mark.parametrize("jobs", [1, 2], ids=["serial", "parallel"])
@pytest.mark.parametrize("where", ["mkstemp", "replace"])
def test_read_only_folder_every_file_reported(tmp_path, capsys, monkeypatch, jobs, where):
    from torchcompat.migrate import runner

    ro, rw = _tree(tmp_path / "tree")
    assert len(ro + rw) >= runner.PARALLEL_THRESHOLD  # -j 2 takes the worker pool
    pids = tmp_path / "pids"
    pids.mkdir()
    _deny(monkeypatch, tmp_path / "tree" / "ro", where, log=pids)
    rc = _main(["migrate", "--write", "-j", jobs, tmp_path / "tree"])
    err = capsys.readouterr().err
    assert rc == 2  # "error", not 1 ("files changed")
    for path in rw:
        assert err.count("rewrote %s\n" % path) == 1
        assert _read(path) == FIXED
    for path in ro:
        assert err.count("%s: error: could not write: permission denied (file left unchanged)\n" % path) == 1
        assert _read(path) == LEGACY
    assert "Traceback" not in err
    assert _summary(err) == (
        "Found 50 findings in 50 of 50 files; 40 files rewritten, 0 files left unchanged; "
        "10 files failed (10 could not be written)."
    )
    assert not _temp_files(tmp_path)
    workers = {int(name.split("-")[1]) for name in os.listdir(str(pids))}
    assert workers and (os.getpid() not in workers) is (jobs == 2)


def _drop_privileges():
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)


def _run_unprivileged(argv, out_dir):
    """``main(argv)`` as a user the file modes apply to: directly when not root, else in a forked child
    that drops to uid/gid 65534 (with everything it needs imported first). Returns (rc, err) or None
    when privileges cannot be dropped here."""
    import multiprocessing

    import torchcompat.migrate.cli
    import torchcompat.migrate.report
    import torchcompat.migrate.rules
    import torchcompat.migrate.runner  # noqa: F401

    with multiprocessing.get_context("fork").Pool(1) as pool:  # imports the pool machinery
        pool.map(abs, [1])
    if os.geteuid() != 0:
        err = io.StringIO()
        real = sys.stderr
        sys.stderr = err
        try:
            return _main(argv), err.getvalue()
        finally:
            sys.stderr = real
    err_path = os.path.join(out_dir, "stderr")
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 99
        try:
            with open(err_path, "w") as err, open(os.devnull, "w") as out:
                try:
                    _drop_privileges()
                except OSError:
                    code = 98
                else:
                    sys.stdout, sys.stderr = out, err
                    code = _main(argv)
                    err.flush()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    code = os.WEXITSTATUS(status)
    if code == 98:
        return None
    with open(err_path) as handle:
        return code, handle.read()


@pytest.mark.parametrize("jobs", [1, 2], ids=["serial", "parallel"])
def test_read_only_folder_with_real_permissions(jobs):
    """The same with the kernel refusing the write (a folder without write permission)."""
    if os.geteuid() == 0 and not hasattr(os, "setuid"):
        pytest.skip("no way to drop root here")
    base = tempfile.mkdtemp(prefix="tc-ro-")
    try:
        os.chmod(base, 0o755)
        ro, rw = _tree(os.path.join(base, "tree"))
        if os.geteuid() == 0:
            for folder, _, files in os.walk(base):
                os.chown(folder, 65534, 65534)
                for name in files:
                    os.chown(os.path.join(folder, name), 65534, 65534)
        os.chmod(os.path.join(base, "tree", "ro"), 0o555)
        result = _run_unprivileged(["migrate", "--write", "-j", jobs, os.path.join(base, "tree")], base)
        if result is None:
            pytest.skip("cannot drop root privileges here (no CAP_SETUID)")
        rc, err = result
        assert rc == 2, err
        for path in ro:
            assert "%s: error: could not write: permission denied (file left unchanged)\n" % path in err
            assert _read(path) == LEGACY
        for path in rw:
            assert "rewrote %s\n" % path in err and _read(path) == FIXED
        assert _summary(err).endswith(
            "40 files rewritten, 0 files left unchanged; 10 files failed (10 could not be written)."
        )
        assert not _temp_files(base)
    finally:
        os.chmod(os.path.join(base, "tree", "ro"), 0o755)
        shutil.rmtree(base, ignore_errors=True)


def test_a_failing_replace_leaves_no_temp_file_and_gives_the_os_reason(tmp_path, capsys, monkeypatch):
    path = tmp_path / "busy.py"
    _write(path, LEGACY)

    def busy(src, dst):
        raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), dst)

    monkeypatch.setattr(os, "replace", busy)
    assert _main(["migrate", "--write", path]) == 2
    err = capsys.readouterr().err
    assert "%s: error: could not write: device or resource busy (file left unchanged)\n" % path in err
    assert _read(path) == LEGACY and not _temp_files(tmp_path)


@pytest.mark.parametrize("jobs", [1, 2], ids=["serial", "parallel"])
def test_an_unexpected_error_for_one_file_is_reported_and_the_run_goes_on(tmp_path, capsys, monkeypatch, jobs):
    from torchcompat.migrate import runner

    ro, rw = _tree(tmp_path / "tree", read_only=0, writable=50)
    victim = rw[7]
    real = runner.process_path

    def flaky(path, *args, **kwargs):
        if path == victim:
            raise RuntimeError("surprise")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(runner, "process_path", flaky)
    assert _main(["migrate", "--write", "-j", jobs, tmp_path / "tree"]) == 2
    err = capsys.readouterr().err
    assert "%s: error: internal error (RuntimeError: surprise); this is a torchcompat bug" % victim in err
    assert _read(victim) == LEGACY
    assert sum(_read(p) == FIXED for p in rw) == 49
    assert _summary(err).endswith(
        "49 files rewritten, 0 files left unchanged; 1 file failed (1 hit a torchcompat bug)."
    )


# --- a read-only file ---------------------------------------------------------------------------


def test_read_only_file_is_reported_not_written(tmp_path, capsys):
    """Mode 0444 is respected even by root: the mode bits are read, not the write attempted."""
    path = tmp_path / "ro.py"
    _write(path, LEGACY, mode=0o444)
    inode = os.stat(str(path)).st_ino
    assert _main(["migrate", "--write", path]) == 2
    err = capsys.readouterr().err
    assert "%s: error: read-only file (mode 0444), not written; pass --force-readonly to rewrite it\n" % path in err
    assert "rewrote" not in err and "(file left unchanged)" not in err
    assert _summary(err).endswith("0 files rewritten, 0 files left unchanged; 1 file failed (1 read-only).")
    assert re.search(r"^ +1  TC303  \S+ +\(0 fixed\)$", err, re.M)  # not counted as fixed
    st = os.stat(str(path))
    assert _read(path) == LEGACY and st.st_ino == inode and stat.S_IMODE(st.st_mode) == 0o444
    # nothing is written without --write, so nothing to refuse
    assert _main(["migrate", path]) == 1
    assert _main(["migrate", "--check", path]) == 1
    assert "error" not in capsys.readouterr().err


def test_force_readonly_rewrites_and_keeps_the_mode(tmp_path, capsys):
    path = tmp_path / "ro.py"
    _write(path, LEGACY, mode=0o444)
    inode = os.stat(str(path)).st_ino
    assert _main(["migrate", "--write", "--force-readonly", path]) == 1
    assert "rewrote %s\n" % path in capsys.readouterr().err
    st = os.stat(str(path))
    assert _read(path) == FIXED and st.st_ino != inode and stat.S_IMODE(st.st_mode) == 0o444
    assert not _temp_files(tmp_path)


def test_a_file_this_user_may_not_write_is_not_replaced(tmp_path, capsys, monkeypatch):
    """Write bits set, but not for this user (simulated: root may write anything): the folder's
    permission would allow a rename, so the tool must ask the file itself."""
    path = tmp_path / "theirs.py"
    _write(path, LEGACY, mode=0o644)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, m, **kw: False if str(p) == str(path) else real_access(p, m, **kw))
    assert _main(["migrate", "--write", path]) == 2
    assert "no write permission (mode 0644), not written; pass --force-readonly" in capsys.readouterr().err
    assert _read(path) == LEGACY
    assert _main(["migrate", "--write", "--force-readonly", path]) == 1
    assert _read(path) == FIXED


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755, 0o2775])
def test_atomic_write_keeps_the_mode(tmp_path, mode):
    path = tmp_path / "m.py"
    _write(path, LEGACY, mode=mode)
    assert _main(["migrate", "--write", "-q", path]) == 1
    assert stat.S_IMODE(os.stat(str(path)).st_mode) == mode and _read(path) == FIXED


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give a file away")
def test_root_rewriting_a_users_file_keeps_its_owner(tmp_path):
    path = tmp_path / "users.py"
    _write(path, LEGACY)
    os.chown(str(path), 65534, 65534)
    assert _main(["migrate", "--write", "-q", path]) == 1
    st = os.stat(str(path))
    assert (st.st_uid, st.st_gid) == (65534, 65534) and _read(path) == FIXED


def test_help_documents_the_flag_links_and_quiet(capsys):
    with pytest.raises(SystemExit):
        _main(["migrate", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--force-readonly" in text and "keeping their mode" in text
    assert "symbolic links met while walking are not followed" in text
    assert "only errors and the one-line summary" in text


# --- wording: diff mode, --write, -q ------------------------------------------------------------


def test_diff_mode_says_would_rewrite(tmp_path, capsys):
    legacy, clean = tmp_path / "a.py", tmp_path / "b.py"
    _write(legacy, LEGACY)
    _write(clean, CLEAN)
    assert _main(["migrate", legacy, clean]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("--- %s\n+++ %s\n" % (legacy, legacy))
    assert "would rewrite %s\n" % legacy in captured.err and "would rewrite %s" % clean not in captured.err
    assert _summary(captured.err) == (
        "Found 1 finding in 1 of 2 files; 1 file would be rewritten, 1 file would be left unchanged."
    )
    assert not re.search(r"files? changed", captured.err)
    assert _read(legacy) == LEGACY
    assert _main(["migrate", "--write", legacy, clean]) == 1
    err = capsys.readouterr().err
    assert _summary(err) == "Found 1 finding in 1 of 2 files; 1 file rewritten, 1 file left unchanged."


@pytest.mark.parametrize("command", [["check"], ["migrate"], ["migrate", "--write"], ["migrate", "--check"]])
def test_quiet_prints_only_the_summary_and_errors(tmp_path, capsys, command):
    legacy, clean, broken = tmp_path / "a.py", tmp_path / "b.py", tmp_path / "c.py"
    _write(legacy, LEGACY)
    _write(clean, CLEAN)
    _write(broken, b"import torch\ny = F.sigmoid(x\n")
    assert _main(command + ["-q", legacy, clean, broken]) == 2
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    assert len(err) == 2, err
    assert err[0].startswith("%s: error: could not be parsed: SyntaxError" % broken)
    assert SUMMARY.match(err[1]) and err[1].endswith("1 file failed (1 could not be parsed).")
    if command == ["migrate"]:
        assert captured.out.startswith("--- %s" % legacy)  # the diff is the output, -q or not
    if command == ["check"]:
        assert captured.out.startswith("%s:4:5: TC303 " % legacy)


# --- wording: missing files, links, unparsable files, our own bugs ------------------------------------


@pytest.mark.parametrize("command", [["check"], ["migrate"], ["migrate", "--write"]])
def test_missing_file_and_broken_link(tmp_path, capsys, command):
    missing = tmp_path / "nope.py"
    link = tmp_path / "dangling.py"
    os.symlink("gone.py", str(link))
    assert _main(command + [missing, link]) == 2
    err = capsys.readouterr().err
    assert "%s: error: no such file or directory\n" % missing in err
    assert "%s: error: broken symbolic link: its target gone.py does not exist\n" % link in err
    assert "could not be parsed" not in err and "left unchanged)" not in err
    assert _summary(err).endswith("2 files failed (2 not found).")


def test_file_left_unchanged_is_said_once(tmp_path, capsys):
    bad = tmp_path / "bad.py"
    data = b"import torch\ny = F.sigmoid(x\n"
    _write(bad, data)
    assert _main(["migrate", "--write", bad]) == 2
    err = capsys.readouterr().err
    line = next(line for line in err.splitlines() if line.startswith(str(bad)))
    assert re.match(r"^.*: error: could not be parsed: SyntaxError:2:\d+: .* \(file left unchanged\)$", line), line
    assert err.count("(file left unchanged)") == 1
    assert _read(bad) == data
    assert _main(["check", bad]) == 2  # check touches nothing, so it does not say so
    assert "(file left unchanged)" not in capsys.readouterr().err


def _broken_rule(monkeypatch):
    """A rule (registered only for this test) whose fix does not parse: it appends " +" to sigmoid calls."""
    import ast as ast_module

    from torchcompat.migrate import engine

    def broken(node, ctx):
        if isinstance(node.func, ast_module.Attribute) and node.func.attr == "sigmoid":
            end = ctx.end(node)
            ctx.report(node, edits=[(end, end, " +")])

    rule = engine.Rule(
        "TC998", "broken-output", "ag-volatile", "m", "d", "0.4", True, True, "plain", (ast_module.Call,), broken
    )
    monkeypatch.setitem(engine.RULES, "TC998", rule)
    monkeypatch.setattr(engine, "_ENABLED_CACHE", {})


def test_a_rule_whose_output_does_not_parse_is_named_as_our_bug(tmp_path, capsys, monkeypatch):
    _broken_rule(monkeypatch)
    path = tmp_path / "fine.py"
    _write(path, LEGACY)  # parses; TC303 (a good fix) and TC998 fire on the same call in one pass
    assert _main(["migrate", "--write", path]) == 2
    err = capsys.readouterr().err
    line = next(line for line in err.splitlines() if line.startswith("%s: error: " % path))
    assert "rule TC998 (broken-output) produced invalid code (SyntaxError" in line
    assert "this is a torchcompat bug, please report it" in line and "the file was left untouched" in line
    assert "could not be parsed" not in line and "TC303" not in line
    assert line.count("left un") == 1
    assert _summary(err).endswith("1 file failed (1 hit a torchcompat bug).")
    assert _read(path) == LEGACY

    from torchcompat.migrate.engine import Options, process_text

    result = process_text(LEGACY.decode(), Options(fix=True))
    assert result.internal and not result.changed and result.text == LEGACY.decode()


# --- symbolic links -----------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["absolute", "relative", "trailing-slash"])
def test_a_symlinked_folder_named_as_path_is_followed(tmp_path, capsys, monkeypatch, form):
    _write(tmp_path / "real" / "a.py", LEGACY)
    _write(tmp_path / "real" / "sub" / "b.py", LEGACY)
    os.symlink("real" if form == "relative" else str(tmp_path / "real"), str(tmp_path / "link"))
    monkeypatch.chdir(str(tmp_path))
    arg = "link/" if form == "trailing-slash" else "link"
    assert _main(["check", arg]) == 1
    captured = capsys.readouterr()
    assert "Found 2 findings in 2 of 2 files" in captured.err
    assert re.search(r"^link/+a\.py:4:5: TC303 ", captured.out, re.M)


def test_links_met_while_walking_are_not_followed(tmp_path, capsys):
    _write(tmp_path / "tree" / "own.py", LEGACY)
    _write(tmp_path / "outside" / "far.py", LEGACY)
    os.symlink(str(tmp_path / "outside"), str(tmp_path / "tree" / "dirlink"))
    os.symlink(str(tmp_path / "outside" / "far.py"), str(tmp_path / "tree" / "filelink.py"))
    from torchcompat.migrate.files import iter_python_files

    assert list(iter_python_files([str(tmp_path / "tree")])) == [str(tmp_path / "tree" / "own.py")]
    assert _main(["migrate", "--write", tmp_path / "tree"]) == 1
    assert _read(tmp_path / "outside" / "far.py") == LEGACY  # never reached through a link
    # a link named on the command line is followed (its target is rewritten, the link stays)
    assert _main(["migrate", "--write", "-q", tmp_path / "tree" / "filelink.py"]) == 1
    assert _read(tmp_path / "outside" / "far.py") == FIXED and os.path.islink(str(tmp_path / "tree" / "filelink.py"))


def test_a_file_named_twice_is_processed_once(tmp_path, capsys, monkeypatch):
    _write(tmp_path / "a.py", LEGACY)
    os.symlink("a.py", str(tmp_path / "alias.py"))
    monkeypatch.chdir(str(tmp_path))
    assert _main(["migrate", "--write", "a.py", ".", "alias.py"]) == 1
    err = capsys.readouterr().err
    assert err.count("rewrote") == 1 and "in 1 of 1 file;" in err


# --- keywords go into the call's own argument list ----------------------------------------------------


@pytest.mark.parametrize(
    "source, expected",
    [
        ("f(a, m=(d if c else None))", "f(a, m=(d if c else None), k=1)"),
        ("f(a, ((b)))", "f(a, ((b)), k=1)"),
        ("f(a, b,)", "f(a, b, k=1,)"),
        ("f()", "f(k=1)"),
        ("f(g(a), h(b, c))", "f(g(a), h(b, c), k=1)"),
        ("f(*args)", "f(*args, k=1)"),
        ("f(**kw)", "f(**kw, k=1)"),
        ("f(x for x in y)", "f((x for x in y), k=1)"),
        ("f(a,  # one (1)\n  b  # two )\n)", "f(a,  # one (1)\n  b, k=1  # two )\n)"),
        ("f(\n    a,\n    (b),  # last (really)\n)", "f(\n    a,\n    (b),  # last (really)\n    k=1,\n)"),
        ("f(\n    a, b,\n)", "f(\n    a, b, k=1,\n)"),
        ("f(a,\n  b \\\n  )", "f(a,\n  b, k=1 \\\n  )"),
        ("f(a, [\n    1,\n])", "f(a, [\n    1,\n], k=1)"),
        ("f(\r\n    a,\r\n    b,\r\n)", "f(\r\n    a,\r\n    b,\r\n    k=1,\r\n)"),
    ],
)
def test_append_arguments_inserts_at_the_calls_own_list(source, expected):
    import ast

    from torchcompat.migrate.engine import Context, Options, _apply_edits

    tree = ast.parse(source)
    ctx = Context(source, tree, Options())
    call = tree.body[0].value
    out = _apply_edits(source, [ctx.append_arguments(call, "k=1")])
    assert out == expected
    assert ast.dump(ast.parse(out).body[0].value.keywords[-1]) == ast.dump(
        ast.parse("f(k=1)").body[0].value.keywords[0]
    )


@pytest.mark.parametrize(
    "code, source, expected",
    [
        ("TC601", "torch.load(f, map_location=(dev if c else None))", "(dev if c else None), weights_only=True)"),
        ("TC222", "torch.linspace(0, (n if c else 1))", "(n if c else 1), steps=100)"),
        ("TC850", "torch.meshgrid(a, (b if c else d))", "(b if c else d), indexing='ij')"),
        ("TC150", "torch.utils.checkpoint.checkpoint(f, (x if c else z))", "(x if c else z), use_reentrant=True)"),
        ("TC510", "torch.stft(x, (n if c else 4))", "(n if c else 4), return_complex=True))"),
        (
            "TC305",
            "torch.nn.functional.upsample(x, scale_factor=(2 if c else 3), mode='bilinear')",
            "align_corners=True)",
        ),
    ],
)
def test_rules_that_add_a_keyword_add_it_to_the_call(code, source, expected):
    from torchcompat.migrate.engine import Options, process_text

    # 0.3-era code: the meaning rules among these (TC601, TC850, TC150, TC510) rewrite only older code
    options = Options(target="2.13", fix=True, select=(code,), source="0.3")
    result = process_text("import torch\ny = %s\n" % source, options)
    assert result.error is None and result.changed
    assert result.text.splitlines()[-1].endswith(expected), result.text


# --- linear cost: the machinery (timings are in benchmarks/migrate_scaling.py) ------------------------


def test_conflict_index_agrees_with_the_pairwise_definition():
    from torchcompat.migrate.engine import _overlaps, _self_overlapping, _Taken

    rng = random.Random(1234)
    for _ in range(300):
        taken, spans = [], _Taken()
        for _ in range(rng.randint(1, 40)):
            start = rng.randint(0, 30)
            edit = (start, start + rng.choice([0, 0, 1, 2, 5]), "x")
            expected = any(_overlaps(edit, t) for t in taken)
            assert spans.conflicts(edit[0], edit[1]) == expected, (edit, taken)
            if not expected:
                taken.append(edit)
                spans.add(edit[0], edit[1])
        edits = [(s, s + rng.choice([0, 1, 3]), "y") for s in (rng.randint(0, 12) for _ in range(rng.randint(0, 5)))]
        pairwise = any(_overlaps(a, b) for i, a in enumerate(edits) for b in edits[i + 1 :])
        assert _self_overlapping(edits) == pairwise, edits


def test_composed_regions_describe_the_texts_after_several_passes():
    from torchcompat.migrate.engine import _apply_edits, _compose, _Taken

    rng = random.Random(99)
    for _ in range(300):
        original = "".join(rng.choice("ab\n") for _ in range(rng.randint(0, 40)))
        text, regions = original, []
        for _ in range(rng.randint(1, 4)):  # passes of the fix loop
            spans, edits = _Taken(), []
            for _ in range(rng.randint(0, 6)):
                start = rng.randint(0, len(text))
                edit = (start, min(len(text), start + rng.choice([0, 1, 3])), "xy\n"[: rng.randint(0, 3)])
                if not spans.conflicts(edit[0], edit[1]):
                    spans.add(edit[0], edit[1])
                    edits.append(edit)
            edits.sort(key=lambda e: (e[0], e[1]))
            text = _apply_edits(text, edits)
            regions = _compose(regions, edits)
        o = n = 0
        for o_s, o_e, n_s, n_e in regions:
            assert o <= o_s <= o_e and n <= n_s <= n_e and original[o:o_s] == text[n:n_s]
            o, n = o_e, n_e
        assert original[o:] == text[n:]


def _fixture_inputs():
    folder = os.path.join(ROOT, "tests", "migrate_fixtures")
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name, "input.py")
        if os.path.exists(path):
            with open(path, encoding="utf-8", newline="") as handle:
                yield name, handle.read()


def _patch(old, diff):
    """Apply a unified diff (as the runner prints it) to ``old``."""
    a = old.splitlines(True)
    out, i = [], 0
    lines = diff.splitlines(True)[2:]
    k = 0
    while k < len(lines):
        head = re.match(r"@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@", lines[k])
        assert head, lines[k]
        start = int(head.group(1)) - (0 if head.group(2) == "0" else 1)
        out.extend(a[i:start])
        i = start
        k += 1
        while k < len(lines) and not lines[k].startswith("@@"):
            tag, text = lines[k][0], lines[k][1:]
            if tag in " -":
                assert a[i] == text
                i += 1
            if tag in " +":
                out.append(text)
            k += 1
    return "".join(out + a[i:])


def test_diffs_come_from_the_tracked_regions_and_apply():
    import difflib

    from torchcompat.migrate.engine import Options, process_text
    from torchcompat.migrate.runner import _diff, _region_opcodes

    same = 0
    for name, text in _fixture_inputs():
        for options in (Options(target="2.13", fix=True), Options(portable=True, fix=True)):
            result = process_text(text, options)
            if not result.changed:
                continue
            old_lines, new_lines = text.splitlines(True), result.text.splitlines(True)
            assert _region_opcodes(old_lines, new_lines, text, result.text, result.regions) is not None, name
            ours = _diff("p", text, result.text, result.regions)
            assert _patch(text, ours) == result.text, name
            same += ours == "".join(difflib.unified_diff(old_lines, new_lines, "p", "p"))
    assert same > 100  # mostly difflib's very output; elsewhere an equally valid alignment


def test_wrong_regions_fall_back_to_a_full_diff():
    import difflib

    from torchcompat.migrate.runner import _diff

    old, new = "a\nb\nc\n", "a\nB\nc\n"
    expected = "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), "p", "p"))
    assert _diff("p", old, new, [(0, 1, 0, 1)]) == expected  # the regions miss the change
    assert _diff("p", old, new, [(2, 3, 2, 3)]) == expected


def _scaling_module():
    spec = importlib.util.spec_from_file_location(
        "migrate_scaling", os.path.join(ROOT, "benchmarks", "migrate_scaling.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_file_fixes_fully_idempotently_and_its_diff_applies():
    from torchcompat.migrate.engine import Options, process_text
    from torchcompat.migrate.runner import _diff

    text = _scaling_module().generate(0.02)
    result = process_text(text, Options(target="2.13", fix=True))
    assert result.error is None and result.changed
    codes = {f.code for f in result.findings}
    assert len(codes) >= 10 and len(result.findings) >= 15 * len(text) // 1000
    again = process_text(result.text, Options(target="2.13", fix=True))
    assert again.text == result.text and not again.changed
    assert _patch(text, _diff("p", text, result.text, result.regions)) == result.text


def test_byte_columns_of_non_ascii_lines():
    from torchcompat.migrate.source import Lines

    line = "s = 'é€𝄞' + f(x)  # ü\n"
    lines = Lines("x = 1\n" + line)
    encoded = line.encode("utf-8")
    for col in range(len(encoded) + 1):
        if col < len(encoded) and (encoded[col] & 0xC0) == 0x80:
            continue  # not a character boundary: ast never gives one
        assert lines.offset(2, col) == 6 + len(encoded[:col].decode("utf-8"))


def test_the_cyclic_collector_is_restored():
    from torchcompat.migrate.engine import Options, process_text

    assert gc.isenabled()
    process_text(LEGACY.decode(), Options(fix=True))
    assert gc.isenabled()
    gc.disable()
    try:
        process_text(LEGACY.decode(), Options(fix=True))
        assert not gc.isenabled()
    finally:
        gc.enable()


# --- progress: only on a terminal ---------------------------------------------------------------


def _many(root, n=60):
    for i in range(n):
        _write(os.path.join(str(root), "f%02d.py" % i), LEGACY)


def test_nothing_extra_on_a_stderr_that_is_not_a_terminal(tmp_path):
    _many(tmp_path)
    proc = procs.run(
        [sys.executable, "-m", "torchcompat", "check", "-j", "2", str(tmp_path)],
        capture_output=True,
        env=dict(os.environ, TERM="xterm"),
    )
    assert proc.returncode == 1
    err = proc.stderr.decode().splitlines()
    assert err[-1] == "Found 60 findings in 60 of 60 files (60 fixable with `torchcompat migrate`)."
    assert len(err) == 2 and re.match(r"^ +60  TC303  \S+ +\(60 fixable\)$", err[0]), err
    assert b"\r" not in proc.stderr and b"files]" not in proc.stderr


class _Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("quiet", [False, True])
def test_a_file_count_on_a_terminal(tmp_path, monkeypatch, quiet):
    from torchcompat.migrate import cli

    _many(tmp_path)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(cli, "PROGRESS_AFTER_S", 0.0)
    monkeypatch.setenv("TERM", "xterm")
    assert _main(["check", "-j", "1"] + (["-q"] if quiet else []) + [tmp_path]) == 1
    err = terminal.getvalue()
    if quiet:
        assert "\r" not in err
    else:
        assert re.search(r"\r\[\d+/60 files\]", err)
        assert re.search(r"\r +\r    60  TC303", err)  # erased before the summary
    assert err.splitlines()[-1].startswith("Found 60 findings in 60 of 60 files")
