"""Precision on modern code (issue #14), on the pinned corpus of benchmarks/modern_corpus.py: with default
options no meaning-changed rule rewrites anything, the RoPE line of transformers is unchanged, and with
--target-version 2.13 a meaning-changed rule rewrites only files whose own evidence dates them before the
change. Slow (minutes); skipped when the corpus is not installed (it is never committed). A fast test keeps a
modern idiom the corpus showed (a table of torch.nn.init attributes keyed by name) out of TC306's rewrites."""

from __future__ import annotations

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "benchmarks"))

pytestmark = pytest.mark.skipif(sys.version_info < (3, 8), reason="the migration tool needs Python >= 3.8")

#: the shape of transformers' and diffusers' ``no_init_weights`` (modeling_utils.py): a table of torch.nn.init's
#: attributes keyed by their names, patched to a no-op and restored from the table afterwards
INIT_TABLE = """import torch
from torch import nn

TABLE = {
    "uniform_": nn.init.uniform_,
    "uniform": nn.init.uniform,
    "other": nn.init.normal,
}


def skip_and_restore():
    for name in TABLE:
        if name != "other":
            setattr(torch.nn.init, name, lambda *a, **k: None)
    for name, func in TABLE.items():
        if name != "other":
            setattr(torch.nn.init, name, func)


w = torch.empty(3)
nn.init.xavier_uniform(w.view(1, 3))
"""


def test_init_table_keyed_by_its_own_names_is_reported_not_rewritten():
    """TC306 leaves ``"uniform": nn.init.uniform`` (found in transformers 4.57 and diffusers 0.35): rewritten to
    ``uniform_``, the restore would put ``uniform_`` into ``torch.nn.init.uniform`` for the rest of the process.
    Calls and other references are still rewritten."""
    import torch

    from torchcompat.migrate.engine import Options, process_text

    result = process_text(INIT_TABLE, Options(target="2.13", fix=True))
    assert '"uniform": nn.init.uniform,' in result.text
    assert '"other": nn.init.normal_,' in result.text and "nn.init.xavier_uniform_(w.view(1, 3))" in result.text
    kept = [f for f in result.findings if f.code == "TC306" and not f.fixable]
    assert [f.line for f in kept] == [6] and "save and restore" in kept[0].message
    original = torch.nn.init.uniform
    namespace: dict = {}
    try:
        exec(compile(result.text, "table.py", "exec"), namespace)
        namespace["skip_and_restore"]()
        assert torch.nn.init.uniform is original and torch.nn.init.uniform is not torch.nn.init.uniform_
    finally:
        torch.nn.init.uniform = original


@pytest.mark.slow
def test_modern_corpus_meaning_rules_rewrite_nothing_without_evidence():
    modern_corpus = pytest.importorskip("modern_corpus")
    cache = modern_corpus.DEFAULT_CACHE
    if not os.path.isdir(os.path.join(cache, "transformers")):
        pytest.skip("no modern corpus under %s (see benchmarks/modern_corpus.py)" % cache)
    data = modern_corpus.measure(cache, jobs=2)
    default = data["configs"]["default"]
    assert default["meaning_rewrites"] == {}
    assert not default["errors"]
    for conf in data["configs"].values():
        assert conf["rope_lines"] >= 1 and conf["rope_unchanged"] == conf["rope_lines"]
        for path, era, codes in conf["meaning_rewrite_files"]:
            assert era.startswith("old"), (path, era, codes)  # the file's own evidence dates it
        eras = conf["eras"]["transformers"]
        assert eras["new"] > eras["old"]  # modern code is recognised as such
