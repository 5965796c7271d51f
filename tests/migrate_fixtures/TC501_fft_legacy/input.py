import torch

x = torch.arange(0, 8).float().view(2, 4)
X = torch.rfft(x, 1)
y = torch.irfft(X, 1, signal_sizes=x.shape[1:])
y_odd = torch.irfft(X, 1)
Z = torch.rfft(x, 2, normalized=True, onesided=False)
z = torch.ifft(Z, 2, normalized=True)
F = torch.fft(Z, 1)
print(X.shape, [round(v, 4) for v in y.reshape(-1).tolist()], y_odd.shape, Z.shape, round(float(z[..., 0].sum()), 4), F.shape)
