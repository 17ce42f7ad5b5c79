"""PyTorch 80-band fbank + sentence mean normalisation, equal to the project's ECAPA front-end
(SpeechBrain Fbank(n_mels=80) -> InputNormalization(sentence, std_norm=False); see ../../../shared/golden/README.md).

Batched: wav [batch, samples] float32 at 16 kHz (all rows the same length) -> [batch, frames, 80],
frames = 1 + samples // 160. Differentiable-free, used on the fly in the training loop.
"""
import math

import torch

SAMPLE_RATE = 16000
N_FFT = 400
HOP = 160
N_MELS = 80
TOP_DB = 80.0


def _mel(f):
    return 2595.0 * math.log10(1.0 + f / 700.0)


def mel_matrix(n_mels=N_MELS, n_fft=N_FFT, sr=SAMPLE_RATE, f_min=0.0, f_max=None):
    """[n_fft//2+1, n_mels] triangular filters: HTK mel points, symmetric in Hz with half-width = gap to the left
    neighbour, peak 1, no area normalisation (SpeechBrain's Filterbank)."""
    f_max = sr / 2 if f_max is None else f_max
    mels = torch.linspace(_mel(f_min), _mel(f_max), n_mels + 2)
    hz = 700.0 * (10 ** (mels / 2595.0) - 1.0)
    band = hz[1:] - hz[:-1]
    f_central = hz[1:-1]
    band = band[:-1]
    all_freqs = torch.linspace(0, sr // 2, n_fft // 2 + 1)
    # [n_mels, n_bins]
    slope = (all_freqs.unsqueeze(0) - f_central.unsqueeze(1)) / band.unsqueeze(1)
    fb = torch.clamp(1.0 - slope.abs(), min=0.0)
    return fb.t().contiguous()


class Fbank(torch.nn.Module):
    def __init__(self, n_mels=N_MELS, mean_norm=True):
        super().__init__()
        self.mean_norm = mean_norm
        self.register_buffer("window", torch.hamming_window(N_FFT, periodic=True), persistent=False)
        self.register_buffer("fb", mel_matrix(n_mels), persistent=False)

    @torch.no_grad()
    def forward(self, wav):
        if wav.dim() == 1:
            wav = wav.unsqueeze(0)
        spec = torch.stft(wav, N_FFT, hop_length=HOP, win_length=N_FFT, window=self.window, center=True,
                          pad_mode="constant", normalized=False, onesided=True, return_complex=True)
        power = spec.real.pow(2) + spec.imag.pow(2)          # [B, bins, frames]
        fbank = torch.matmul(power.transpose(1, 2), self.fb)  # [B, frames, n_mels]
        db = 10.0 * torch.log10(torch.clamp(fbank, min=1e-10))
        floor = db.amax(dim=(1, 2), keepdim=True) - TOP_DB
        db = torch.maximum(db, floor)
        if self.mean_norm:
            db = db - db.mean(dim=1, keepdim=True)
        return db


_DEFAULT = None


def fbank(wav, mean_norm=True):
    """Convenience wrapper: numpy/tensor wav [N] or [B, N] -> tensor [B, T, 80]."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = (Fbank(mean_norm=False), Fbank(mean_norm=True))
    wav = torch.as_tensor(wav, dtype=torch.float32)
    return _DEFAULT[1 if mean_norm else 0](wav)
