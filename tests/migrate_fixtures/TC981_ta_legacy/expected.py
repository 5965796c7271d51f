import torchaudio
import torchaudio.legacy

x, rate = torchaudio.legacy.load("a.wav")
y, rate = torchaudio.load("a.wav")  # untouched
