"""Domain-library shifts (torchvision, torchaudio, torchtext): records keyed by the library's own releases, the
paired target versions, the peer fixtures, and ``tc.vision.weights_for`` on real torch+torchvision pairs."""

from __future__ import annotations

import json
import os
import sys

import pytest

from tests import places, procs
from torchcompat.migrate.engine import Options, process_text
from torchcompat.registry import REGISTRY
from torchcompat.shifts.pairing import paired, torch_for
from torchcompat.shifts.vision import pretrained_weights

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: the migration tool needs Python >= 3.8 (the adapter and pairing tests run everywhere)
needs_migrate = pytest.mark.skipif(sys.version_info < (3, 8), reason="the migration tool needs Python >= 3.8")
PEER = os.environ.get("TORCHCOMPAT_PEER", places.cached("torchfix"))
#: real pairs (oldest, middle, newest): venv python, torchvision release
PAIRS = [
    (places.venv_python("tv-old"), "0.2"),
    (places.venv_python("tv-mid"), "0.9"),
    (places.venv_python("tv-new"), "0.29"),
]


def test_domain_records_name_their_library():
    libraries = {r.id: r.library for r in REGISTRY}
    assert libraries["tv-pretrained"] == "torchvision"
    assert libraries["ta-backend-switch"] == "torchaudio"
    assert libraries["tt-legacy-data"] == "torchtext"
    assert libraries["la-solve"] == "torch"


def test_pairing_table():
    assert paired("torchvision", "1.12") == "0.13"
    assert paired("torchvision", "2.13.0") == "0.28"
    assert paired("torchaudio", "1.0") is None
    assert paired("torchtext", "2.5") is None  # torchtext's last release pairs with 2.3
    assert torch_for("torchvision", "0.13") == "1.12"


def _fix(src: str, **options: object) -> str:
    return process_text(src, Options(fix=True, **options)).text  # type: ignore[arg-type]


@needs_migrate
def test_library_target_is_derived_or_given():
    src = "import torchvision\ntorchvision.models.resnet50(pretrained=True)\n"
    fixed = 'import torchvision\ntorchvision.models.resnet50(weights="IMAGENET1K_V1")\n'
    assert _fix(src, target="1.12") == fixed  # torch 1.12 pairs with torchvision 0.13
    assert _fix(src, target="1.11") == src  # torchvision 0.12 has no weights=
    assert _fix(src, target="2.1", targets={"torchvision": "0.12"}) == src
    assert _fix(src, target="1.0", targets={"torchvision": "0.13"}) == fixed


@needs_migrate
def test_cli_rejects_unknown_library(tmp_path):
    path = tmp_path / "a.py"
    path.write_text("import torch\n")
    run = procs.run(
        [sys.executable, "-m", "torchcompat", "check", str(path), "--target", "torchvisio=0.1"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2 and "LIB=X.Y" in run.stderr


def test_pretrained_table_only_knows_builders():
    assert pretrained_weights("torchvision.models.resnet.resnet101") == ("IMAGENET1K_V1", "")
    assert pretrained_weights("torchvision.models.detection.ssd300_vgg16") == ("COCO_V1", "IMAGENET1K_FEATURES")
    assert pretrained_weights("torchvision.models.vgg.make_layers") is None
    assert pretrained_weights("torchvision.models.get_model") is None


@needs_migrate
def test_late_import_torch_is_added_above_the_fix():
    """Defect: a rewrite to torch.utils.data.default_collate used the file's later `import torch` (NameError)."""
    src = "from torch.utils.data import _utils\nb = _utils.collate.default_collate(b)\n\nimport torch\n"
    out = _fix(src, target="2.13")
    assert out.index("import torch\n") < out.index("torch.utils.data.default_collate(b)")
    later_alias = "from torch.utils.data import _utils\nb = _utils.collate.default_collate(b)\nimport torch as tt\n"
    assert _fix(later_alias, target="2.13") == later_alias  # an alias bound later: reported, not fixed


@needs_migrate
def test_import_and_each_use_are_reported():
    src = "import torch\nfrom torch import qr as old_qr\nbad = old_qr(a)\n"
    lines = [(f.line, f.code) for f in process_text(src, Options(target="2.13")).findings]
    assert lines == [(2, "TC419"), (3, "TC419")]
    src = "from torch.utils._pytree import _register_pytree_node\n_register_pytree_node(A, f, g)\n"
    found = process_text(src, Options(target="2.13")).findings
    assert [(f.line, f.code) for f in found] == [(1, "TC873"), (2, "TC873")]
    src = "from torchvision.transforms.v2 import ToTensor, Resize\nt = ToTensor()\nu = [ToTensor, Resize(2)]\n"
    found = process_text(src, Options(target="2.13")).findings
    assert [(f.line, f.col, f.code) for f in found] == [(1, 39, "TC962"), (2, 5, "TC962"), (3, 6, "TC962")]


@needs_migrate
def test_a_multi_line_import_is_reported_on_the_name():
    """Python < 3.10 gives no position to an imported name: it is found in the text, past any ``as`` part."""
    src = "from torchvision.transforms.v2 import (\n    ToImage as ToTensor,\n    ToTensor as T,\n)\nT()\n"
    found = process_text(src, Options(target="2.13")).findings
    assert [(f.line, f.col, f.code) for f in found] == [(3, 5, "TC962"), (5, 1, "TC962")]  # the import and the use


@pytest.mark.skipif(not os.path.isdir(os.path.join(PEER, "tests", "fixtures")), reason="no TorchFix cache")
@needs_migrate
def test_peer_fixtures():
    """TorchFix's own checker fixtures: at least 57 of its 60 in-scope findings, no extra line flagged."""
    run = procs.run(
        [sys.executable, os.path.join(ROOT, "benchmarks", "peer_fixtures.py"), "--peer", PEER, "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    table = json.loads(run.stdout)
    assert sum(row["peer"] for row in table.values()) == 60
    assert sum(row["same_line"] for row in table.values()) >= 57
    assert [row["extra"] for row in table.values() if row["extra"]] == []


_PROBE = r"""
import json, warnings
warnings.simplefilter("ignore")
import torchcompat as tc, torchvision
from torchvision import models
kw = tc.vision.weights_for("resnet18", pretrained=False)
model = models.resnet18(**kw)
det = tc.vision.weights_for("detection.fasterrcnn_resnet50_fpn", pretrained=True, pretrained_backbone=False)
print(json.dumps({"version": torchvision.__version__, "kw": kw, "det": det, "ok": model is not None}))
"""


@pytest.mark.parametrize("python,release", PAIRS)
def test_weights_for_on_real_pairs(python, release):
    if not os.path.exists(python):
        pytest.skip("no venv %s" % python)
    run = procs.run([python, "-c", _PROBE], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["version"].startswith(release) and out["ok"]
    if release in ("0.2", "0.9"):
        assert out["kw"] == {"pretrained": False}
        assert out["det"] == {"pretrained": True, "pretrained_backbone": False}
    else:
        assert out["kw"] == {"weights": None}
        assert out["det"] == {"weights": "COCO_V1", "weights_backbone": None}


def test_pairing_agrees_with_the_measured_table():
    """The migration targets' pairing (shifts/pairing.py) and the matrix's measured pairs name the same minors."""
    pairs = pytest.importorskip("torchcompat.testing.pairs")
    for minor, row in pairs.PAIRS.items():
        assert paired("torchvision", minor) == ".".join(row.torchvision.split(".")[:2]), minor
        audio = ".".join(row.torchaudio.split(".")[:2]) if row.torchaudio else None
        assert paired("torchaudio", minor) == audio, minor
