"""Rule ``hints`` (the words that decide whether a file is parsed and a rule runs) are necessary, never
too narrow: every qualified name a rule matches contains one of its hints, and an aliased import still
fires the rule (the alias keeps the original name in the import line)."""

from __future__ import annotations

import sys

import pytest

pytestmark = pytest.mark.skipif(sys.version_info < (3, 8), reason="the migration tool needs Python >= 3.8")


def _rules():
    from torchcompat.migrate import rules  # noqa: F401  (registers every rule)
    from torchcompat.migrate.engine import RULES

    return list(RULES.values())


def test_every_rule_declares_hints():
    missing = [r.code for r in _rules() if not r.hints]
    assert not missing, "rules without hints make every file parsed: %s" % missing


#: rules whose hint is a keyword argument every matched call must spell (not the function's name)
KEYWORD_HINTED = {"TC882"}  # DataLoader(..., prefetch_factor=...)


def test_hints_cover_every_matched_qualname():
    checked = 0
    for r in _rules():
        wanted = getattr(r.func, "qualnames", None)
        if not wanted or r.code in KEYWORD_HINTED:
            continue
        for qual in wanted:
            last = qual.rsplit(".", 1)[-1]
            assert r.may_fire(last), (r.code, qual, r.hints)
            checked += 1
    assert checked > 20


@pytest.mark.parametrize(
    "code, source",
    [
        ("TC701", "import torch.cuda.amp as amp\nwith amp.autocast():\n    pass\n"),
        ("TC703", "from torch.cuda.amp import GradScaler as S\ns = S()\n"),
        ("TC150", "from torch.utils.checkpoint import checkpoint as ck\ny = ck(f, x)\n"),
        ("TC412", "import torch as T\ne = T.symeig(a, eigenvectors=True)\n"),
        ("TC860", "from torch.cuda import memory_cached as mc\nn = mc()\n"),
        ("TC950", "import functorch as ft\ny = ft.vmap(f)(x)\n"),
        ("TC222", "from torch import linspace as ls\nx = ls(0, 1)\n"),
        ("TC220", "import torch\nm = torch.ByteTensor(3)\ny = x[m]\n"),
    ],
)
def test_aliases_still_fire(code, source):
    from torchcompat.migrate.engine import Options, process_text

    result = process_text(source, Options())
    assert result.error is None
    assert code in {f.code for f in result.findings}, (code, [f.code for f in result.findings])


@pytest.mark.parametrize(
    "hints, text, expected",
    [
        (("full",), "y = torch.full((2,), 1)", True),
        (("full",), "@torch.compile(fullgraph=True)", False),  # a word, not a substring
        (("ger",), "n = integer + 1", False),
        (("masked_*",), "x.masked_fill(m, 0)", True),  # `*`: open on that side
        (("*fft",), "torch.irfft(x, 1)", True),
        (("*fft",), "torch.fftn(x)", False),
        ((".data",), "v = x.data[0]", True),
        ((".data",), "p = x.data_ptr()", False),
        (("/",), "a / b", True),
    ],
)
def test_hint_words(hints, text, expected):
    from torchcompat.migrate.engine import hint_pattern

    assert (hint_pattern(hints).search(text) is not None) is expected


def test_file_no_rule_can_fire_on_is_not_parsed():
    """torch's own py312_intrinsics.py: Python 3.12 syntax, and `fullgraph=` is not `torch.full`: a Python
    that cannot parse it has nothing to check in it, so it is not a parse failure."""
    from torchcompat.migrate.engine import Options, process_text

    source = (
        "import torch\n\n\ndef f[T](a: 'x'):\n    return a\n\n\n"
        "@torch.compile(backend='eager', fullgraph=True)\ndef g(x):\n    return x.sin()\n"
    )
    result = process_text(source, Options())
    assert result.error is None and result.findings == []
    broken = source + "y = torch.full((2,), 1)\n"  # now a rule can fire: the file must parse, and cannot
    if sys.version_info < (3, 12):
        assert process_text(broken, Options()).error is not None
