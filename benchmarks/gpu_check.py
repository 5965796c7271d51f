"""CUDA checks of tc.autocast, tc.GradScaler and tc.custom_fwd / custom_bwd that need a GPU.

Run on a machine with CUDA:  python benchmarks/gpu_check.py
Prints one PASS / FAIL line per check (SKIP lines where this torch cannot do it) and exits 1 on any FAIL,
2 when there is no CUDA device. Works on every torch release torchcompat supports (Python >= 3.7).
"""

from __future__ import annotations

import sys
import traceback
import warnings

import torch

import torchcompat as tc

RESULTS = []


def check(name):
    def run(fn):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", FutureWarning)  # no deprecated AMP name on any release
                outcome = fn()
        except Exception:
            RESULTS.append(False)
            print("FAIL %s\n%s" % (name, traceback.format_exc()))
        else:
            if outcome == "skip":
                print("SKIP %s" % name)
            else:
                RESULTS.append(True)
                print("PASS %s" % name)
        return fn

    return run


def main():
    if not torch.cuda.is_available():
        print("SKIP no CUDA device: nothing checked (torch %s)" % torch.__version__)
        return 2
    print("torch %s, CUDA %s, %s" % (torch.__version__, torch.version.cuda, torch.cuda.get_device_name(0)))
    has_autocast = hasattr(torch.cuda, "amp") and hasattr(torch.cuda.amp, "autocast")  # 1.6+
    dtype_arg = hasattr(torch, "autocast")  # autocast(dtype=) 1.10+
    a = torch.randn(16, 16, device="cuda")
    b = torch.randn(16, 16, device="cuda")

    @check("tc.accelerator() is cuda")
    def _():
        assert tc.accelerator().type == "cuda", tc.accelerator()

    @check("autocast('cuda') float16 matmul, nested enabled=False, decorator")
    def _():
        if not has_autocast:
            return "skip"
        with tc.autocast("cuda"):
            out = a.mm(b)
            assert out.dtype == torch.float16, out.dtype
            assert torch.allclose(out.float(), a.mm(b).float(), atol=0.1, rtol=0.01)
            with tc.autocast("cuda", enabled=False):
                assert a.mm(b).dtype == torch.float32
        assert a.mm(b).dtype == torch.float32

        @tc.autocast("cuda")
        def f(x, y):
            return x.mm(y)

        assert f(a, b).dtype == torch.float16

    @check("autocast('cuda', dtype=torch.bfloat16)")
    def _():
        if not dtype_arg or not getattr(torch.cuda, "is_bf16_supported", lambda: False)():
            return "skip"
        with tc.autocast("cuda", dtype=torch.bfloat16):
            assert a.mm(b).dtype == torch.bfloat16

    @check("autocast('cuda') without AMP support: full precision, one warning")
    def _():
        if has_autocast:
            return "skip"
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            with tc.autocast("cuda"):
                assert a.mm(b).dtype == torch.float32
        assert len([w for w in record if "tc.autocast" in str(w.message)]) == 1

    def train(scaler, poison=False):
        torch.manual_seed(0)
        model = torch.nn.Linear(16, 4).cuda()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        x, y = torch.randn(8, 16, device="cuda"), torch.randn(8, 4, device="cuda")
        loss = (model(x) - y).pow(2).mean()
        if scaler is None:
            loss.backward()
            opt.step()
        else:
            scaler.scale(loss).backward()
            if poison:
                model.weight.grad[0, 0] = float("inf")
            scaler.step(opt)
            scaler.update()
        return model, scaler

    @check("GradScaler('cuda'): scale, unscaled step equals a plain step, inf skips the step")
    def _():
        scaler = tc.GradScaler("cuda", init_scale=1024.0)
        if not scaler.is_enabled():
            return "skip"
        loss = torch.tensor(3.0, device="cuda")
        assert scaler.scale(loss).item() == 3072.0
        plain, _ = train(None)
        scaled, _ = train(tc.GradScaler("cuda", init_scale=1024.0))
        for p, q in zip(plain.parameters(), scaled.parameters()):
            assert torch.allclose(p, q, atol=1e-5), (p, q)
        torch.manual_seed(0)
        untouched = torch.nn.Linear(16, 4).cuda()
        poisoned, s = train(tc.GradScaler("cuda", init_scale=1024.0), poison=True)
        for p, q in zip(untouched.parameters(), poisoned.parameters()):
            assert torch.equal(p, q)
        assert s.get_scale() == 512.0, s.get_scale()
        state = s.state_dict()
        fresh = tc.GradScaler("cuda")
        fresh.load_state_dict(state)
        assert fresh.get_scale() == 512.0

    @check("custom_fwd / custom_bwd (device_type='cuda'): cast_inputs, autocast state in backward")
    def _():
        if not has_autocast:
            return "skip"

        def make(cast_inputs):
            class MM(torch.autograd.Function):
                @staticmethod
                @tc.custom_fwd(device_type="cuda", cast_inputs=cast_inputs)
                def forward(ctx, x, y):
                    ctx.save_for_backward(x, y)
                    return x.mm(y)

                @staticmethod
                @tc.custom_bwd(device_type="cuda")
                def backward(ctx, grad):
                    x, y = ctx.saved_tensors
                    return grad.mm(y.t()), x.t().mm(grad)

            return MM.apply

        x = a.clone().requires_grad_()
        y = b.clone().requires_grad_()
        with tc.autocast("cuda"):
            cast_out = make(torch.float32)(x, y)
            plain_out = make(None)(x, y)
        assert cast_out.dtype == torch.float32, cast_out.dtype
        assert plain_out.dtype == torch.float16, plain_out.dtype
        cast_out.sum().backward()
        assert torch.allclose(x.grad, torch.ones(16, 16, device="cuda").mm(b.t()), atol=1e-4)

    failed = RESULTS.count(False)
    print("%d passed, %d failed" % (RESULTS.count(True), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
