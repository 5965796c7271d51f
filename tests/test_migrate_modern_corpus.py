"""Precision on modern code (issue #14), on the pinned corpus of benchmarks/modern_corpus.py: with default
options no meaning-changed rule rewrites anything, the RoPE line of transformers is unchanged, and with
--target-version 2.13 a meaning-changed rule rewrites only files whose own evidence dates them before the
change. Slow (minutes); skipped when the corpus is not installed (it is never committed)."""

from __future__ import annotations

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "benchmarks"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.version_info < (3, 8), reason="the migration tool needs Python >= 3.8"),
]


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
