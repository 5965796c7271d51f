"""torchvision restores under ``torchcompat.legacy`` on real torch+torchvision pairs (subprocesses; a test
skips when its venv is missing): ``transforms.Scale`` / ``RandomSizedCrop`` come back only where torchvision
removed them (>= 0.12), behave as Resize / RandomResizedCrop, and ``unpatch()`` leaves the module as it was."""

from __future__ import annotations

import json
import os

import pytest

from tests import places, procs

PAIRS = [
    (places.venv_python("tv-old"), "0.2"),
    (places.venv_python("tv-mid"), "0.9"),
    (places.venv_python("tv-new"), "0.29"),
]

_PROBE = r"""
import json, warnings
warnings.simplefilter("ignore")
import torch, torchvision, torchvision.transforms as T
import torchcompat.legacy as legacy
before = {name: T.__dict__.get(name) for name in ("Scale", "RandomSizedCrop")}
applied = [n for n in legacy.patch(era="0.4") if n.startswith("tv-")]
out = {"version": torchvision.__version__, "applied": applied}
from PIL import Image
img = Image.new("RGB", (40, 30), (10, 200, 30))
scaled, resized = T.Scale(12)(img), T.Resize(12)(img)
out["same"] = list(scaled.size) == list(resized.size) and scaled.tobytes() == resized.tobytes()
torch.manual_seed(0)
a = T.RandomSizedCrop(8)(img)
torch.manual_seed(0)
import random; random.seed(0)
out["crop_size"] = list(a.size)
out["subclass"] = issubclass(T.Scale, T.Resize)
legacy.unpatch()
out["restored_exactly"] = all(T.__dict__.get(k) is v for k, v in before.items())
print(json.dumps(out))
"""


@pytest.mark.parametrize("python,release", PAIRS)
def test_transform_renames_on_real_pairs(python, release):
    if not os.path.exists(python):
        pytest.skip("no venv %s" % python)
    run = procs.run([python, "-c", _PROBE], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["version"].startswith(release)
    assert out["same"] and out["crop_size"] == [8, 8] and out["subclass"] and out["restored_exactly"]
    if release == "0.29":
        assert out["applied"] == ["tv-Scale", "tv-RandomSizedCrop"]  # removed in 0.12: restored
    else:
        assert out["applied"] == []  # torchvision still has them: nothing patched


_DEFERRED = r"""
import json, sys, warnings
warnings.simplefilter("ignore")
import torchcompat.legacy as legacy
from torchcompat.legacy import libraries
legacy.patch(era="0.4")
out = {"imported_by_patch": "torchvision" in sys.modules, "waiting": libraries.waiting()}
import torchvision.transforms as T
out["scale_after_import"] = "Scale" in T.__dict__
out["own_loader"] = type(T.__loader__).__name__
legacy.unpatch()
out["after_unpatch"] = "Scale" in T.__dict__
out["hook_left"] = any(type(f).__name__ == "_Hook" for f in sys.meta_path)
print(json.dumps(out))
"""


def test_restores_wait_for_the_script_to_import_torchvision():
    """patch() does not import torchvision (seconds, and a mismatched one fails): the restores apply at the import."""
    python = PAIRS[-1][0]
    if not os.path.exists(python):
        pytest.skip("no venv %s" % python)
    run = procs.run([python, "-c", _DEFERRED], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out == {
        "imported_by_patch": False,
        "waiting": {"torchvision.transforms": ["tv-Scale", "tv-RandomSizedCrop"]},
        "scale_after_import": True,
        "own_loader": "SourceFileLoader",
        "after_unpatch": False,
        "hook_left": False,
    }


def test_without_torchvision_nothing_is_patched_and_unpatch_is_exact():
    """Here (system Python) torchvision may be absent: the torchvision restores are skipped, nothing fails."""
    import importlib.util

    import torchcompat.legacy as legacy

    if importlib.util.find_spec("torchvision") is not None:
        pytest.skip("torchvision is installed here: the real-pair tests cover it")
    try:
        applied = legacy.patch(era="0.4")
        assert not [name for name in applied if name.startswith("tv-")]
    finally:
        legacy.unpatch()
    assert not legacy.is_patched()


def test_weights_for_needs_torchvision():
    import importlib.util

    import torchcompat as tc

    if importlib.util.find_spec("torchvision") is not None:
        pytest.skip("torchvision is installed here")
    with pytest.raises(ImportError, match="torchvision is not installed"):
        tc.vision.weights_for("resnet50", pretrained=True)
    with pytest.raises(ValueError, match="not a torchvision model builder"):
        tc.vision.weights_for("make_layers")
