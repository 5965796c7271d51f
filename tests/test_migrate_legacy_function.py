"""TC104 (legacy autograd.Function), TC106 (``type(h) == Variable``) and TC103's 0-dim accumulators, run:
the migrated code executes on this torch and computes what the legacy code meant."""

from __future__ import annotations

import os
import re
import shutil
import sys

import pytest

from tests import procs
from tests.migrate_helpers import BLOCKER, migrate_text, run_text
from torchcompat.version import TORCH_RELEASE

pytestmark = pytest.mark.skipif(sys.version_info < (3, 8), reason="the migration tool needs Python >= 3.8")

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "shared")
V11 = os.path.join(EXAMPLES, "legacy-examples", "v11_custom_relu_function.py")
#: the running torch's minor release, the target the migrated code must run on
HERE = "%d.%d" % TORCH_RELEASE[:2]


@pytest.mark.skipif(not os.path.exists(V11), reason="shared legacy examples not present")
def test_v11_custom_relu_function_runs_on_plain_torch(tmp_path):
    """The shared 0.3-era example (two legacy Functions, one with constructor arguments), migrated to the running
    torch's release (2.13 here; 1.4 in its matrix session, where torch.ger has no torch.outer yet), runs with
    torchcompat unimportable and prints a RESULT within the README's tolerance (factor 3)."""
    script = str(tmp_path / "v11.py")
    shutil.copyfile(V11, script)
    proc = procs.run(
        [sys.executable, "-m", "torchcompat", "migrate", "--target-version", HERE, "--write", "-q", script],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1, proc.stderr
    with open(script) as handle:
        text = handle.read()
    assert "h2 = LeakyClamp.apply(h1.mm(w2), 0.1, 4.0)" in text and "return grad_input, None, None" in text
    run = procs.run([sys.executable, "-W", "ignore", "-c", BLOCKER, script], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    value = float(re.findall(r"^RESULT v11_custom_relu_function (\S+)$", run.stdout, re.M)[-1])
    assert 4.6e-05 / 3 <= value <= 4.6e-05 * 3, value


def test_instance_form_and_constructor_arguments_compute_the_same_gradients():
    import torch

    old = (
        "import torch\n"
        "from torch.autograd import Function\n"
        "class Scale(Function):\n"
        "    def __init__(self, k):\n"
        "        self.k = k\n"
        "    def forward(self, x):\n"
        "        self.save_for_backward(x)\n"
        "        return x * self.k\n"
        "    def backward(self, g):\n"
        "        x, = self.saved_variables\n"
        "        return g * self.k if self.needs_input_grad[0] else None\n"
        "double = Scale(2.0)\n"
        "x = torch.arange(3.0, requires_grad=True)\n"
        "y = double(x).sum() + Scale(3.0)(x).sum()\n"
        "y.backward()\n"
        "grad = x.grad\n"
    )
    result = migrate_text(old)
    assert "y = Scale.apply(x, 2.0).sum() + Scale.apply(x, 3.0).sum()" in result.text
    assert "double = " not in result.text and "ctx.saved_tensors" in result.text
    scope = run_text(result.text)
    assert torch.equal(scope["grad"], torch.full((3,), 5.0))
    assert scope["y"].item() == 15.0


def test_type_is_variable_repackages_nested_hidden_states():
    """repackage_hidden (every 2017 language model): False for every tensor since 0.4, so the original recurses
    into the tensor; the rewrite detaches each tensor of the nested tuple."""
    import torch

    old = (
        "import torch\n"
        "from torch.autograd import Variable\n"
        "def repackage(h):\n"
        "    if type(h) == Variable:\n"
        "        return Variable(h.data)\n"
        "    else:\n"
        "        return tuple(repackage(v) for v in h)\n"
        "w = torch.ones(2, 3, requires_grad=True)\n"
        "hidden = ((w * 2, w * 3), w * 4)\n"
        "kept = repackage(hidden)\n"
    )
    with pytest.raises(TypeError, match="0-d tensor"):
        run_text(old)  # recursion down to a 0-dim element: iteration over a 0-d tensor fails
    new = run_text(migrate_text(old).text)
    (a, b), c = new["kept"]
    assert not a.requires_grad and torch.equal(c, torch.full((2, 3), 4.0))


def test_zero_dim_accumulator_becomes_item():
    old = (
        "import torch\n"
        "from torch.autograd import Variable\n"
        "criterion = torch.nn.MSELoss()\n"
        "def evaluate(batches):\n"
        "    total_loss = 0\n"
        "    for x, y in batches:\n"
        "        total_loss += len(x) * criterion(Variable(x), Variable(y)).data\n"
        "    return total_loss[0] / len(batches)\n"
        "value = evaluate([(torch.ones(4), torch.zeros(4)), (torch.ones(2) * 2, torch.zeros(2))])\n"
    )
    with pytest.raises(IndexError):
        run_text(old)
    result = migrate_text(old)
    assert "return total_loss.item() / len(batches)" in result.text
    assert run_text(result.text)["value"] == pytest.approx((4 * 1.0 + 2 * 4.0) / 2)


def test_what_cannot_be_rewritten_is_reported_with_its_reason():
    old = (
        "import torch\n"
        "from torch.autograd import Function\n"
        "class F(Function):\n"
        "    def forward(self, x):\n"
        "        return x\n"
        "    def backward(self, g):\n"
        "        return g\n"
        "class Net(torch.nn.Module):\n"
        "    def __init__(self):\n"
        "        super(Net, self).__init__()\n"
        "        self.fn = F()\n"
        "    def forward(self, x):\n"
        "        print(self.fn.saved_tensors)\n"
        "        return self.fn(x)\n"
    )
    result = migrate_text(old)
    assert result.text == old
    (finding,) = [f for f in result.findings if f.code == "TC104"]
    assert "the attribute fn holding an instance of F is used other than by calling it at line 13" in finding.message
