"""Shared helpers of the migration tests: migrate a snippet, run it, compare values (not a test module)."""

from __future__ import annotations

import warnings
from typing import Optional

#: ``python -c BLOCKER script.py args...`` runs a script as ``__main__`` with torchcompat unimportable (from the
#: script's folder as the working directory): migrated code must stand on plain torch
BLOCKER = r"""
import runpy, sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] == 'torchcompat':
            raise ImportError('torchcompat is blocked in this run')
sys.meta_path.insert(0, Block())
script = sys.argv[1]
sys.argv = sys.argv[1:]
sys.path.insert(0, '.')
runpy.run_path(script, run_name='__main__')
"""

#: rules -> the record each is the face of (an independent list: a rule moving to another record shows here)
RULE_RECORDS = {
    "TC160": "ag-zero-grad-none",
    "TC161": "ag-numpy-requires-grad",
    "TC162": "ag-type-is-not-dtype",
    "TC163": "ag-zero-dim-iteration",
    "TC230": "t-full-int-dtype",
    "TC231": "t-scalar-first-overloads",
    "TC232": "t-typed-storage",
    "TC233": "t-T-nd",
    "TC234": "t-bool-compare",
    "TC360": "nn-grid-sample-align",
    "TC361": "nn-interp-recompute-scale",
    "TC362": "nn-weight-norm",
    "TC363": "nn-sdp-kernel",
    "TC364": "nn-packed-seq-cpu-lengths",
    "TC365": "nn-module-name-dots",
    "TC510": "fft-stft-return-complex",
    "TC610": "ser-load-lua",
    "TC710": "cuda-tf32-api",
    "TC880": "data-private-helpers",
    "TC881": "data-iter-class",
    "TC882": "data-prefetch-no-workers",
    "TC883": "dist-thd-backend",
    "TC884": "func-torch-vmap-prototype",
    "TC885": "onnx-dynamo-export",
    "TC886": "onnx-dynamo-default",
    "TC887": "optim-sched-epoch-arg",
    "TC888": "optim-plateau-verbose",
    "TC889": "optim-private-hook",
    "TC890": "dist-launch-local-rank",
    "TC960": "tv-pretrained",
}


#: The era the behaviour tests' legacy snippets are written for (``--source-version``): rules of meaning
#: records rewrite only code older than their change, and these snippets are 0.3-era code.
LEGACY_SOURCE = "0.3"


def fix_text(text: str, **options):
    """``process_text`` with ``fix=True`` and the given options (the source era: :data:`LEGACY_SOURCE`
    unless ``source=`` says otherwise; ``source=None`` infers it)."""
    from torchcompat.migrate.engine import Options, process_text

    options.setdefault("source", LEGACY_SOURCE)
    return process_text(text, Options(fix=True, **options))


def legacy_source(text: str) -> Optional[str]:
    """The era a shared legacy example says it was written for (``(PyTorch 0.3)``, ``(PyTorch 1.0 era)``
    in its docstring's first lines), or None (then inferred)."""
    import re

    found = re.search(r"PyTorch (\d+\.\d+)", "\n".join(text.splitlines()[:5]))
    return found.group(1) if found else None


def migrate_text(text: str, target: str = "2.13", portable: bool = False, source: Optional[str] = LEGACY_SOURCE):
    from torchcompat.migrate.engine import Options, process_text

    if portable:
        options = Options(portable=True, fix=True, source=source)
    else:
        options = Options(target=target, fix=True, source=source)
    result = process_text(text, options)
    assert result.error is None
    return result


def codes_of(text: str, target: str = "2.13"):
    return {f.code for f in migrate_text(text, target).findings}


def run_text(text: str) -> dict:
    scope: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(text, "<migrated>", "exec"), scope)
    return scope


def same_values(old: str, code: str, names, target: str = "2.13", run_old: bool = True) -> dict:
    """Migrate ``old``, check ``code`` fired and fixed, run both versions and compare ``names``."""
    import torch

    result = migrate_text(old, target)
    assert code in {f.code for f in result.findings}
    assert result.changed, result.text
    new = run_text(result.text)
    if run_old:
        ref = run_text(old)
        for name in names:
            a, b = ref[name], new[name]
            if isinstance(a, torch.Tensor):
                assert a.dtype == b.dtype and torch.equal(a, b), name
            else:
                assert a == b, name
    return new


#: ../shared/legacy-examples script -> the rule codes whose findings name the cause of its failure on plain
#: torch 2.13 (the README table); one table for the fast and the slow legacy-example tests
LEGACY_CAUSES = {
    "v01_linear_regression.py": {"TC103"},
    "v02_logistic_regression.py": {"TC103"},
    "v04_cnn_upsample_segmentation.py": {"TC103", "TC220"},
    "v05_char_rnn.py": {"TC103"},
    "v06_lstm_tagger.py": {"TC601"},
    "v07_bow_classifier.py": {"TC901", "TC220", "TC221"},
    "v08_autoencoder.py": {"TC103", "TC601"},
    "v09_least_squares.py": {"TC401", "TC402", "TC403", "TC404", "TC406", "TC410"},
    "v10_fft_filter.py": {"TC501", "TC103"},
    "v11_custom_relu_function.py": {"TC104", "TC103"},
    "v12_spectral_clustering.py": {"TC221", "TC412", "TC413", "TC414", "TC407", "TC408"},
}
