"""The source era (issue #14): declared (--source-version, pyproject.toml, file header) or inferred per file
from evidence; rules of meaning-changed records rewrite only code older than the change, and report a guess
otherwise; rules of spelling records rewrite without an era."""

from __future__ import annotations

import os
import sys

import pytest

pytestmark = pytest.mark.skipif(sys.version_info < (3, 8), reason="the migration tool needs Python >= 3.8")

#: 0.3-era code: volatile= was removed in 0.4, .data[0] on a loss raises since 1.0
OLD = (
    "import torch\n"
    "from torch.autograd import Variable\n"
    "x = Variable(torch.randn(3), volatile=True)\n"
    "n = torch.LongTensor([4, 5])\n"
    "half = n / 2\n"
    "print(loss.data[0])\n"
)
#: modern code: torch.compile exists from 2.0 on; the RoPE line of transformers means true division
ROPE = "1.0 / (10000 ** (torch.arange(0, dim, 2, dtype=torch.int64) / dim))"
NEW = "import torch\nmodel = torch.compile(torch.nn.Linear(2, 2))\ndim = 8\ninv_freq = %s\n" % ROPE
#: a file half migrated: volatile= (before 0.4) next to torch.linalg.solve (1.1 on)
MIXED = (
    "import torch\n"
    "x = torch.autograd.Variable(torch.randn(3), volatile=True)\n"
    "s = torch.linalg.solve(a, b)\n"
    "n = torch.arange(6).long()\n"
    "q = n / 2\n"
)
#: no evidence either way
BARE = "import torch\nn = torch.arange(6).long()\nq = n / 2\n"


def _process(text, **options):
    from torchcompat.migrate.engine import Options, process_text

    options.setdefault("target", "2.13")
    return process_text(text, Options(fix=True, **options))


def _by_code(result, code):
    return [f for f in result.findings if f.code == code]


# --- inference --------------------------------------------------------------------------------------


def test_old_spellings_bound_the_era_above():
    era = _process(OLD).era
    assert era.label == "old" and era.hi == "0.4" and era.lo is None
    bounds = {(e.what.split()[0], e.bound, e.version) for e in era.evidence if not e.hint}
    assert ("TC102", "before", "0.4") in bounds  # volatile=: removed in 0.4 (its record)
    assert ("TC103", "before", "1.0") in bounds  # .data[0]: raises since 1.0
    lines = {e.line for e in era.evidence}
    assert {3, 6} <= lines


def test_new_apis_bound_the_era_below():
    era = _process(NEW).era
    assert era.label == "new" and era.lo == "2.0" and era.hi is None
    assert [(e.line, e.what, e.bound) for e in era.evidence] == [(2, "torch.compile", "at least")]


def test_new_evidence_comes_from_the_records():
    from torchcompat.migrate.era import new_api_table
    from torchcompat.registry import REGISTRY

    names, keywords, methods = new_api_table()
    assert names["torch.linalg.eigh"] == REGISTRY.get("la-symeig").added
    assert names["torch.func"] == REGISTRY.get("func-functorch").added
    assert names["torch.no_grad"] == REGISTRY.get("ag-volatile").added
    assert keywords["reduction"] == REGISTRY.get("nn-reduction-kwarg").added
    # a torchvision record's versions are torchvision's: weights= (torchvision 0.13) pairs with torch 1.12
    assert REGISTRY.get("tv-pretrained").added == "0.13" and keywords["weights"] == "1.12"
    assert methods["item"] == REGISTRY.get("ag-data-index-0").added
    # a name the records' old usage also names existed before: no evidence
    assert "torch.div" not in names and "torch.load" not in names and "detach" not in methods


@pytest.mark.parametrize(
    "line, version",
    [
        ("y = torch.func.vmap(f)(x)\n", "2.0"),
        ("from torch.func import grad\n", "2.0"),
        ("crit = torch.nn.CrossEntropyLoss(reduction='sum')\n", "0.4.1"),
        ("with torch.no_grad():\n    pass\n", "0.4"),
        ("u, s, vh = torch.linalg.svd(a)\n", "1.8"),
        ("v = loss.item()\n", "0.4"),
        ("import torchvision\nm = torchvision.models.resnet50(weights=None)\n", "1.12"),
    ],
)
def test_each_kind_of_new_evidence(line, version):
    era = _process("import torch\nn = torch.arange(6).long()\nq = n / 2\n" + line).era
    assert era.lo == version, era.evidence


def test_a_local_method_or_other_library_is_no_evidence():
    era = _process("import torch\nimport numpy as np\nq = torch.arange(6).long() / 2\nz = np.stack([a])\n").era
    assert era.lo is None and era.label == "unknown"


def test_conflicting_evidence_is_unknown_and_says_so():
    result = _process(MIXED)
    era = result.era
    assert era.conflict and era.label == "unknown"
    assert "conflicting evidence" in era.describe()
    (div,) = _by_code(result, "TC221")
    assert "q = n / 2" in result.text and not div.fixable and div.severity == "warning"
    assert "conflicting evidence" in div.message
    assert "torch.autograd.Variable" not in result.text  # spelling rules still rewrite (TC101/TC102)


def test_deprecated_spellings_are_hints_not_bounds():
    """Variable( and F.tanh were deprecated (0.4), never removed: modern libraries still write them."""
    text = "import torch\nfrom torch.autograd import Variable\nx = Variable(torch.randn(3))\nq = torch.arange(6).long() / 2\n"
    result = _process(text)
    assert result.era.label == "unknown" and result.era.hi is None
    assert [e.hint for e in result.era.evidence] == [True]
    assert "x = torch.randn(3)" in result.text  # the spelling rule TC101 still rewrites
    assert "/ 2" in result.text


# --- declaring the era -------------------------------------------------------------------------------


def test_source_version_gates_meaning_rules():
    old = _process(BARE, source="1.4")
    assert "q = n // 2" in old.text and old.era.label == "declared"
    new = _process(BARE, source="1.7")  # written after the change (1.7): `/` means true division
    assert new.text == BARE
    assert not _by_code(new, "TC221")  # neither rewritten nor reported: the code means the new meaning
    assert list(new.era.skipped.values()) == ["3:5: TC221 int-true-division skipped: era 1.7 >= change 1.7"]
    unknown = _process(BARE, source="1.6")  # before the change: rewritten; unknown era: reported (above)
    assert "q = n // 2" in unknown.text


def test_meaning_findings_of_code_written_after_the_change_are_not_reported(tmp_path, capsys):
    """An inferred era at or after a meaning rule's change (torch.compile: >= 2.0; bool masks from 1.2)
    drops its findings, shown only by --explain-era; the same lines in a file of unknown era are reported."""
    from torchcompat.cli import main

    body = "m = torch.ByteTensor([1, 0])\ny = x[m]\nq = torch.arange(6).long() / 2\n"
    (tmp_path / "new.py").write_text("import torch\nmodel = torch.compile(net)\n" + body)
    (tmp_path / "bare.py").write_text("import torch\n" + body)
    new = _process("import torch\nmodel = torch.compile(net)\n" + body)
    assert new.era.lo == "2.0" and not _by_code(new, "TC220") and not _by_code(new, "TC221") and not new.changed
    bare = _process("import torch\n" + body)
    assert [f.severity for f in _by_code(bare, "TC220") + _by_code(bare, "TC221")] == ["warning", "warning"]
    assert main(["check", "--explain-era", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert "new.py" not in out and "bare.py:3:" in out and "bare.py:4:" in out
    assert "new.py:4:7: TC220 uint8-mask skipped: era 2.0 >= change 1.2" in err
    assert "new.py:5:5: TC221 int-true-division skipped: era 2.0 >= change 1.7" in err


def test_source_newer_than_the_shift_never_rewrites_nor_errors():
    for target in ("1.0", "2.13"):
        result = _process(BARE, source="2.1", target=target)
        assert result.text == BARE and not result.changed and not result.findings


def test_header_declares_the_era_of_one_file():
    text = "# torchcompat: source-version 1.4\n" + BARE
    result = _process(text)
    assert "q = n // 2" in result.text and result.era.origin.startswith("a `# torchcompat")
    # the command line wins over the header
    assert _process(text, source="2.0").text == text


def test_pyproject_declares_the_era_and_the_flag_wins(tmp_path):
    from torchcompat.migrate.engine import Options

    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.torchcompat]\nsource-version = "0.4"\n')
    sub = tmp_path / "pkg"
    sub.mkdir()
    path = str(sub / "a.py")
    opts = Options(target="2.13", fix=True).for_file(path)
    assert opts.source == "0.4" and opts.source_origin == str(tmp_path / "pyproject.toml")
    assert Options(target="2.13", source="1.8").for_file(path).source == "1.8"
    # a nearer pyproject.toml without the key ends the search: its project sets no era
    (sub / "pyproject.toml").write_text('[project]\nname = "y"\n')
    from torchcompat.migrate import era

    era._pyproject_in.cache_clear()
    assert Options().for_file(path).source is None


def test_cli_source_version_pyproject_and_explain(tmp_path, capsys):
    from torchcompat.cli import main
    from torchcompat.migrate import era

    era._pyproject_in.cache_clear()
    (tmp_path / "old.py").write_text(OLD)
    (tmp_path / "new.py").write_text(NEW)
    (tmp_path / "bare.py").write_text(BARE)
    assert main(["check", "--explain-era", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "old.py: era before 0.4" in err
    assert "old.py:3:5: TC102 volatile -> before 0.4" in err
    assert "new.py:2:9: torch.compile -> at least 2.0" in err
    assert "bare.py: era unknown: no evidence" in err
    assert "Source era: 1 inferred old, 1 new, 1 unknown" in err
    assert main(["migrate", "--source-version", "1.4", "--target-version", "2.13", str(tmp_path / "bare.py")]) == 1
    assert "+q = n // 2" in capsys.readouterr().out
    (tmp_path / "pyproject.toml").write_text("[tool.torchcompat]\nsource-version = '1.4'\n")
    era._pyproject_in.cache_clear()
    assert main(["migrate", "--target-version", "2.13", str(tmp_path / "bare.py")]) == 1
    out, err = capsys.readouterr()
    assert "+q = n // 2" in out and "Source era: 1 declared" in err
    assert main(["migrate", "--source-version", "2.0", str(tmp_path / "bare.py")]) == 0  # the flag wins
    era._pyproject_in.cache_clear()


def test_cli_rejects_a_bad_source_version(capsys):
    from torchcompat.cli import main

    assert main(["check", "--source-version", "old", "."]) == 2
    assert "--source-version: expected a release such as 0.4" in capsys.readouterr().err


# --- gating --------------------------------------------------------------------------------------------


def test_meaning_rules_report_without_an_era_spelling_rules_rewrite():
    import torchcompat.migrate.rules  # noqa: F401  (registers the rules: a test run alone has none yet)
    from torchcompat.migrate.engine import RULES
    from torchcompat.migrate.era import change_version

    assert change_version(RULES["TC221"]) == "1.7"  # t-int-true-division: changed in 1.7
    assert change_version(RULES["TC220"]) == "1.2"  # t-uint8-mask: bool masks from 1.2
    assert change_version(RULES["TC601"]) == "2.6"  # ser-weights-only: the default flipped in 2.6
    assert change_version(RULES["TC102"]) is None  # a spelling: no era needed
    text = (
        "import torch\nimport torch.nn.functional as F\nn = torch.arange(6).long()\nq = n / 2\n"
        "m = torch.ByteTensor([1, 0])\ny = x[m]\nz = F.sigmoid(y)\n"
    )
    result = _process(text)
    assert result.era.label == "unknown"
    assert "z = torch.sigmoid(y)" in result.text  # TC303: a spelling, rewritten without an era
    assert "n / 2" in result.text and "x[m]" in result.text  # TC221, TC220: meaning, reported
    assert {f.severity for f in _by_code(result, "TC221") + _by_code(result, "TC220")} == {"warning"}


def test_the_era_is_read_once_on_the_first_pass():
    """Later passes see text whose old spellings are rewritten: the era of the original text still decides."""
    result = _process(OLD)
    assert "n // 2" in result.text and "loss.item()" in result.text and "volatile" not in result.text


def test_trace_evidence_passes_the_gate():
    import torchcompat.migrate.rules  # noqa: F401  (registers the rules: a test run alone has none yet)
    from torchcompat.migrate.context import Finding
    from torchcompat.migrate.engine import RULES, Options
    from torchcompat.migrate.era import gate

    options = Options(target="2.13", fix=True)
    traced = Finding("TC221", 3, 5, "m", fixable=True, edits=[(0, 1, "x")], evidence="trace")
    guessed = Finding("TC221", 3, 5, "m", fixable=True, edits=[(0, 1, "x")])
    gate([traced, guessed], None, options)
    assert traced.fixable and traced.edits and traced.severity == "error"
    assert not guessed.fixable and not guessed.edits and guessed.severity == "warning"
    assert options.era_allows(RULES["TC221"], None, "trace") and not options.era_allows(RULES["TC221"], None)


# --- messages -------------------------------------------------------------------------------------------


def test_only_meaning_rule_guesses_say_an_era_or_a_trace_would_settle_them():
    """A spelling rule's warning (TC104: a legacy Function that cannot be rewritten, and why) is no guess:
    no era and no trace would settle it; it keeps its own words."""
    import torchcompat.migrate.rules  # noqa: F401  (registers the rules: a test run alone has none yet)
    from torchcompat.migrate.engine import RULES
    from torchcompat.migrate.era import GUESS, change_version

    text = (
        "import torch\nfrom torch.autograd import Function\n\n\nclass F(Function):\n"
        "    def __init__(self, k):\n        super().__init__()\n        self.k = k\n        self.k = k + 1\n\n"
        "    def forward(self, x):\n        return x * self.k\n\n    def backward(self, g):\n        return g\n\n\n"
        "y = F(2)(x)\nz = F(3)\n"
    )
    (legacy,) = _by_code(_process(text), "TC104")
    assert change_version(RULES["TC104"]) is None and legacy.severity == "warning"
    assert "not rewritten because" in legacy.message and GUESS not in legacy.message
    (mask,) = _by_code(_process("import torch\ny = x[m.byte()]\n"), "TC220")
    assert mask.severity == "warning" and mask.message.endswith("; %s)" % GUESS)


def test_every_meaning_warning_says_it_is_a_guess_and_what_settles_it():
    here = os.path.dirname(os.path.abspath(__file__))
    fixtures = os.path.join(here, "migrate_fixtures")
    import torchcompat.migrate.rules  # noqa: F401  (registers the rules: a test run alone has none yet)
    from torchcompat.migrate.engine import RULES, Options, process_text
    from torchcompat.migrate.era import change_version

    seen = 0
    for folder in sorted(os.listdir(fixtures)):
        path = os.path.join(fixtures, folder, "input.py")
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        for options in (Options(target="2.13"), Options(target="2.13", source="0.3")):
            for f in process_text(text, options).findings:
                if f.severity == "warning" and change_version(RULES[f.code]) is not None:
                    seen += 1
                    assert "a guess" in f.message and "--source-version" in f.message, (folder, f.message)
                    assert "torchcompat run --trace" in f.message, (folder, f.message)
    assert seen > 20


def test_the_rope_line_of_modern_code_is_left_alone():
    for target in ("1.0", "2.13"):
        result = _process(NEW, target=target)
        assert ROPE in result.text and not result.changed


def test_the_era_is_inferred_in_full_only_where_it_decides_something(tmp_path, capsys):
    """No meaning-changed finding: the walk for new APIs is skipped (speed), and the summary says so."""
    from torchcompat.cli import main
    from torchcompat.migrate import era

    era._pyproject_in.cache_clear()
    spelling_only = "import torch\nimport torch.nn.functional as F\nmodel = torch.compile(m)\ny = F.sigmoid(x)\n"
    assert _process(spelling_only).era.partial and _process(spelling_only).era.lo is None
    assert _process(NEW).era.lo == "2.0" and not _process(NEW).era.partial
    (tmp_path / "a.py").write_text(spelling_only)
    (tmp_path / "b.py").write_text(BARE)
    assert main(["check", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "Source era: 0 inferred old, 0 new, 1 unknown, 1 not needed (no meaning-changed finding)" in err


def test_json_and_sarif_carry_each_files_era(tmp_path, capsys):
    """The JSON report lists each file's era (interval, origin: option / header / pyproject / inferred, the
    evidence); SARIF has them as run properties and each result names its file's era."""
    import json

    from torchcompat.cli import main
    from torchcompat.migrate import era

    era._pyproject_in.cache_clear()
    (tmp_path / "old.py").write_text(OLD)
    (tmp_path / "head.py").write_text("# torchcompat: source-version 1.4\n" + BARE)
    sub = tmp_path / "pkg"
    sub.mkdir()
    (sub / "pyproject.toml").write_text("[tool.torchcompat]\nsource-version = '0.4'\n")
    (sub / "p.py").write_text(BARE)
    assert main(["check", "--format", "json", str(tmp_path)]) == 1
    eras = {os.path.basename(e["path"]): e["era"] for e in json.loads(capsys.readouterr().out)["eras"]}
    assert eras["old.py"]["origin"] == "inferred" and (eras["old.py"]["lo"], eras["old.py"]["hi"]) == (None, "0.4")
    assert eras["old.py"]["label"] == "old"
    assert {"line": 3, "col": 5, "what": "TC102 volatile", "bound": "before", "version": "0.4", "hint": False} in eras[
        "old.py"
    ]["evidence"]
    assert (eras["head.py"]["origin"], eras["head.py"]["declared"]) == ("header", "1.4")
    assert eras["p.py"]["origin"] == "pyproject" and eras["p.py"]["origin_file"] == str(sub / "pyproject.toml")
    assert main(["check", "--format", "sarif", "--source-version", "0.3", str(tmp_path / "old.py")]) == 1
    (run,) = json.loads(capsys.readouterr().out)["runs"]
    (entry,) = run["properties"]["sourceEras"]
    assert entry["era"]["origin"] == "option" and entry["era"]["lo"] == "0.3" and entry["era"]["evidence"] == []
    assert run["results"] and all(r["properties"]["sourceEra"]["declared"] == "0.3" for r in run["results"])
    era._pyproject_in.cache_clear()


#: 0.3 code (volatile=: before 0.4) with three rewrites that mean the same on every release
EXACT = (
    "import torch\n"
    "import torch.nn.functional as F\n"
    "x = torch.autograd.Variable(torch.randn(3), volatile=True)\n"
    "p = F.softmax(torch.randn(2, 3))\n"
    "a, b = torch.meshgrid(torch.arange(3), torch.arange(4))\n"
    "y = torch.randn(2, 3, 4).T\n"
)


@pytest.mark.parametrize("source", [None, "0.3", "0.4", "2.0"])
def test_exact_rewrites_pass_the_era_gate(source):
    """TC301 (a known rank: the dim torch picks on every release), TC850 ('ij', the default on every release)
    and TC233 (the reversal x.T does) mean the same on every release: they rewrite 0.3/0.4 code, whose era
    does not predate softmax's 0.3, and code of any declared era; and on today's torch they compute the same.
    TC850's and TC233's records are deprecated spellings (no release changed their meaning): no era needed."""
    import torchcompat.migrate.rules  # noqa: F401  (registers the rules: a test run alone has none yet)
    from torchcompat.migrate.engine import RULES
    from torchcompat.migrate.era import change_version

    assert change_version(RULES["TC850"]) is None and change_version(RULES["TC233"]) is None
    assert change_version(RULES["TC301"]) == "0.3"
    torch = pytest.importorskip("torch")
    result = _process(EXACT, source=source)
    assert "F.softmax(torch.randn(2, 3), dim=1)" in result.text
    assert "torch.meshgrid(torch.arange(3), torch.arange(4), indexing='ij')" in result.text
    assert "torch.randn(2, 3, 4).permute(2, 1, 0)" in result.text
    assert {f.code for f in result.findings if f.fixable} >= {"TC301", "TC850", "TC233"}
    import warnings

    x = torch.randn(2, 3, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert torch.equal(x.T, x.permute(2, 1, 0))
        s = torch.randn(2, 3)
        assert torch.equal(torch.nn.functional.softmax(s), torch.nn.functional.softmax(s, dim=1))
        s3 = torch.randn(2, 3, 4)
        assert torch.equal(torch.nn.functional.softmax(s3), torch.nn.functional.softmax(s3, dim=0))
        old = torch.meshgrid(torch.arange(3), torch.arange(4))
    if "indexing" in (torch.meshgrid.__doc__ or ""):  # the keyword exists from 1.10
        new = torch.meshgrid(torch.arange(3), torch.arange(4), indexing="ij")
        assert all(torch.equal(o, n) for o, n in zip(old, new))


def test_a_softmax_guess_is_dropped_for_modern_code_and_reported_otherwise():
    modern = _process("import torch\nm = torch.compile(f)\np = torch.softmax(h)\n")
    assert not _by_code(modern, "TC301") and "TC301" in str(list(modern.era.skipped.values()))
    (guess,) = _by_code(_process("import torch\np = torch.softmax(h)\n"), "TC301")
    assert guess.severity == "warning" and not guess.fixable
