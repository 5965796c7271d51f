import torchaudio
from torchaudio import set_audio_backend

torchaudio.set_audio_backend("soundfile")
print(torchaudio.get_audio_backend())
wave, rate = torchaudio.load("a.wav")  # untouched
