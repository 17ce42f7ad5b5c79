"""Independent numpy reference of the Python Speaker-ID service's audio enhancement (the 'speaker-id' preprocessing
option; normative description in src/pipeline/compat_preprocess.h), for tests/js/preprocess-speaker-id.test.mjs.

usage: speaker_id_enhance_reference.py IN.npy OUT.npy   (float32 16 kHz mono in, float32 out)
"""
import sys

import numpy as np

SR = 16000


def energy_trim(x, top_db=30.0, frame_length=2048, hop_length=512):
    starts = list(range(0, len(x) - frame_length, hop_length))
    if not starts:
        return x
    xd = x.astype(np.float64)
    energy = np.array([10.0 * np.log10(np.sum(xd[i:i + frame_length] ** 2) + 1e-10) for i in starts])
    above = np.nonzero(energy > energy.max() - top_db)[0]
    if len(above) == 0:
        return x
    start = above[0] * hop_length
    end = min((above[-1] + 1) * hop_length + frame_length, len(x))
    return x[start:end]


def best_segment(x, seconds=3.0):
    seg = int(round(seconds * SR))
    hop = SR // 4
    starts = list(range(0, len(x) - seg, hop))
    if not starts:
        return x
    xd = x.astype(np.float64)
    rms = [np.sqrt(np.mean(xd[i:i + seg] ** 2)) for i in starts]
    best = starts[int(np.argmax(rms))]  # the first maximum
    return x[best:best + seg]


def peak_normalize(x, target=0.9):
    peak = float(np.max(np.abs(x))) if len(x) else 0.0
    if peak > 0 and np.isfinite(peak):
        return (x.astype(np.float64) * (target / peak)).astype(np.float32)
    return x


def preemphasis(x, c=0.97):
    x = x.astype(np.float32)
    return np.concatenate([x[:1], x[1:] - np.float32(c) * x[:-1]]).astype(np.float32)


def enhance(x):
    y = energy_trim(x)
    if len(y) >= SR and len(y) / SR > 3.5:
        y = best_segment(y)
    return preemphasis(peak_normalize(y))


if __name__ == '__main__':
    wav = np.load(sys.argv[1]).astype(np.float32)
    np.save(sys.argv[2], enhance(wav))
