# torchcompat: source-version 1.13 (the era the code was written for: see migrate/README.md)
import torch

spec = torch.stft(wave, 400, hop_length=160, window=torch.hann_window(400))
kept = torch.stft(wave, 400, return_complex=True)
