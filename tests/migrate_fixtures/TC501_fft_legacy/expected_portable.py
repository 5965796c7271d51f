import torch
import torchcompat as tc

x = torch.arange(0, 8).float().view(2, 4)
X = tc.fft.rfft_legacy(x, 1)
y = tc.fft.irfft_legacy(X, 1, signal_sizes=x.shape[1:])
y_odd = tc.fft.irfft_legacy(X, 1)
Z = tc.fft.rfft_legacy(x, 2, normalized=True, onesided=False)
z = tc.fft.ifft_legacy(Z, 2, normalized=True)
F = tc.fft.fft_legacy(Z, 1)
print(X.shape, [round(v, 4) for v in y.reshape(-1).tolist()], y_odd.shape, Z.shape, round(float(z[..., 0].sum()), 4), F.shape)
