import torch

x = torch.arange(0, 8).float().view(2, 4)
X = torch.view_as_real(torch.fft.rfft(x))
y = torch.fft.irfftn(torch.view_as_complex(X.contiguous()), s=x.shape[1:], dim=(-1,))
y_odd = torch.fft.irfftn(torch.view_as_complex(X.contiguous()), s=(2 * X.size(-2) - 1,), dim=(-1,))
Z = torch.view_as_real(torch.fft.fft2(x, norm='ortho'))
z = torch.view_as_real(torch.fft.ifft2(torch.view_as_complex(Z.contiguous()), norm='ortho'))
F = torch.view_as_real(torch.fft.fft(torch.view_as_complex(Z.contiguous())))
print(X.shape, [round(v, 4) for v in y.reshape(-1).tolist()], y_odd.shape, Z.shape, round(float(z[..., 0].sum()), 4), F.shape)
