"""Waveform augmentation for the small training set (numpy/scipy, seeded through the numpy Generator passed in).

Each function takes/returns float32 mono 16 kHz arrays. `Augmenter.__call__` applies a random chain:
speed perturbation (resampling) -> room reverberation (synthetic exponentially decaying noise RIR) ->
band-limiting (telephone band or random low-pass) -> additive noise (coloured noise or babble of other
training utterances, random SNR) -> random gain. Crops of 1-3 s are taken by `random_crop`.
"""
import numpy as np
from scipy.signal import butter, fftconvolve, resample_poly, sosfilt

SR = 16000
_SPEEDS = ((20, 19), (20, 21), (50, 47), (50, 53))  # resample_poly(up, down): x0.95, x1.05, x0.94, x1.06 speed


def random_crop(x, n, rng):
    """n samples from x; shorter inputs are tiled (callers normally concatenate same-speaker utterances first)."""
    if len(x) < n:
        x = np.tile(x, int(np.ceil(n / max(len(x), 1))) + 1)
    start = int(rng.integers(0, len(x) - n + 1))
    return x[start:start + n]


def speed(x, rng):
    up, down = _SPEEDS[int(rng.integers(len(_SPEEDS)))]
    return resample_poly(x, up, down).astype(np.float32)


def synthetic_rir(rng, rt60=None):
    rt60 = float(rng.uniform(0.15, 0.7)) if rt60 is None else rt60
    n = int(SR * min(rt60 * 1.2, 0.8))
    t = np.arange(n) / SR
    env = np.exp(-6.9078 * t / rt60)  # -60 dB at rt60
    h = rng.standard_normal(n) * env
    pre = int(SR * 0.0025)
    h[:pre] *= np.linspace(0, 1, pre)  # early reflections build up
    h = np.concatenate([[0.0] * 0, h])
    h[0] = 1.0 + abs(h[0])  # direct path
    d2r = float(rng.uniform(0.5, 4.0))  # direct-to-reverberant energy scale
    h[1:] *= np.sqrt(1.0 / (d2r * np.sum(h[1:] ** 2) + 1e-9))
    return (h / np.sqrt(np.sum(h ** 2))).astype(np.float32)


def reverb(x, rng):
    y = fftconvolve(x, synthetic_rir(rng))[:len(x)]
    return (y * (np.std(x) / (np.std(y) + 1e-9))).astype(np.float32)


def band_limit(x, rng):
    if rng.random() < 0.5:
        sos = butter(6, [300.0, 3400.0], btype="bandpass", fs=SR, output="sos")
    else:
        sos = butter(6, float(rng.uniform(2500.0, 7000.0)), btype="lowpass", fs=SR, output="sos")
    return sosfilt(sos, x).astype(np.float32)


def colored_noise(n, rng):
    """White (0), pink (-1) or brown (-2) ish noise: 1/f^(beta/2) amplitude shaping of white noise."""
    beta = float(rng.choice([0.0, 1.0, 2.0, float(rng.uniform(0, 2))]))
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1.0 / SR)
    f[0] = f[1]
    spec *= f ** (-beta / 2.0)
    y = np.fft.irfft(spec, n)
    return (y / (np.std(y) + 1e-9)).astype(np.float32)


def add_at_snr(x, noise, snr_db):
    px = np.mean(x ** 2) + 1e-10
    pn = np.mean(noise ** 2) + 1e-10
    return (x + noise * np.sqrt(px / (pn * 10 ** (snr_db / 10.0)))).astype(np.float32)


class Augmenter:
    def __init__(self, babble_pool=None, p_speed=0.3, p_reverb=0.35, p_band=0.2, p_noise=0.5, p_babble=0.2,
                 p_gain=0.5):
        self.babble_pool = babble_pool or []  # list of float32 arrays (other training utterances)
        self.p = dict(speed=p_speed, reverb=p_reverb, band=p_band, noise=p_noise, babble=p_babble, gain=p_gain)

    def __call__(self, x, n, rng):
        """x: source waveform (>= ~n samples); returns exactly n augmented samples."""
        if rng.random() < self.p["speed"]:
            x = speed(random_crop(x, min(len(x), int(n * 1.1) + 1), rng), rng)
        x = random_crop(x, n, rng).astype(np.float32)
        if rng.random() < self.p["reverb"]:
            x = reverb(x, rng)
        if rng.random() < self.p["band"]:
            x = band_limit(x, rng)
        if rng.random() < self.p["noise"]:
            x = add_at_snr(x, colored_noise(n, rng), float(rng.uniform(0.0, 20.0)))
        if self.babble_pool and rng.random() < self.p["babble"]:
            k = int(rng.integers(1, 4))
            b = sum(random_crop(self.babble_pool[int(rng.integers(len(self.babble_pool)))], n, rng) for _ in range(k))
            x = add_at_snr(x, b, float(rng.uniform(5.0, 20.0)))
        if rng.random() < self.p["gain"]:
            x = x * np.float32(10 ** (rng.uniform(-12.0, 6.0) / 20.0))
        peak = np.abs(x).max()
        if peak > 1.0:
            x = x / peak
        return x.astype(np.float32)
