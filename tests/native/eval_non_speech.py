#!/usr/bin/python3
"""Evaluation set for the speech-likeness rule of audio/speech_quality (issue 10 point 3).

Writes 16 kHz float32 raw files and a list (kind<TAB>name<TAB>path) into OUTDIR:
  speech:  LibriSpeech test-other and speechbrain_tests_ASR (all files), samples of speechocean762 (children,
           Opus 16 kHz), wuw-corpus-ii (telephone, Opus 8 kHz), speech_commands (1 s words), fsdd (8 kHz digits),
           each as is, attenuated to -45 dBFS, and mixed with white noise at 10 dB SNR.
  nonspeech: white / pink / brown / Gaussian / uniform noise at several levels, 50/60 Hz hum with harmonics,
           single and multi-tone sines, chirps, clicks, synthetic music (enveloped harmonic notes, chords) and
           speech-shaped noise (random-phase resynthesis of LibriSpeech files).
Run: /usr/bin/python3 tests/native/eval_non_speech.py ../shared OUTDIR [per-corpus sample size]
then the C++ side (the hidden Catch2 case "[.eval]" of test_speech_non_speech.cpp) measures every file:
  SID_EVAL_LIST=OUTDIR/list.tsv build/native/tests/native/sid_tests "[.eval]"
"""
import glob, os, sys
import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

shared, out = sys.argv[1], sys.argv[2]
n_sample = int(sys.argv[3]) if len(sys.argv) > 3 else 150
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(10)
rows = []
SR = 16000


def write(kind, name, x):
    x = np.asarray(x, dtype=np.float32)
    p = os.path.join(out, name.replace('/', '_') + '.f32')
    x.tofile(p)
    rows.append(f'{kind}\t{name}\t{p}')


def rms_db(x):
    return 10 * np.log10(np.mean(np.square(x, dtype=np.float64)) + 1e-30)


def at_db(x, db):
    return x * 10 ** ((db - rms_db(x)) / 20)


def load16(path):
    x, sr = sf.read(path, dtype='float32', always_2d=True)
    x = x.mean(axis=1)
    if sr != SR:
        g = np.gcd(sr, SR)
        x = resample_poly(x, SR // g, sr // g).astype(np.float32)
    return x


def pick(files, n):
    files = sorted(files)
    if len(files) <= n:
        return files
    idx = rng.choice(len(files), n, replace=False)
    return [files[i] for i in sorted(idx)]


a = os.path.join(shared, 'audio')
corpora = {
    'librispeech': sorted(glob.glob(f'{a}/librispeech_test-other/**/*.flac', recursive=True)),
    'sb_asr': sorted(glob.glob(f'{a}/speechbrain_tests_ASR/**/*.wav', recursive=True)),
    'ocean': pick(glob.glob(f'{a}/speechocean762/**/*.opus', recursive=True), n_sample),
    'wuw': pick(glob.glob(f'{a}/wuw-corpus-ii/**/*.opus', recursive=True), n_sample),
    'commands': pick([f for f in glob.glob(f'{a}/speech_commands_v0.02_test/**/*.wav', recursive=True)], n_sample),
    'fsdd': pick(glob.glob(f'{a}/fsdd/**/*.wav', recursive=True), n_sample // 3),
}
libri = []
for corpus, files in corpora.items():
    for f in files:
        x = load16(f)
        if len(x) < 480 or rms_db(x) < -100:
            continue
        base = f'{corpus}/{os.path.basename(os.path.dirname(f))}/{os.path.splitext(os.path.basename(f))[0]}'
        write('speech', base, x)
        write('speech_m45', base + '@-45dBFS', at_db(x, -45.0))
        noise = rng.standard_normal(len(x)).astype(np.float32)
        noise = at_db(noise, rms_db(x) - 10.0)
        write('speech_snr10', base + '@snr10', np.clip(x + noise, -1, 1))
        if corpus == 'librispeech':
            libri.append(x)

T = 10 * SR
t = np.arange(T) / SR


def colored(alpha):  # 1/f^alpha power spectrum
    X = np.fft.rfft(rng.standard_normal(T))
    f = np.fft.rfftfreq(T, 1 / SR)
    f[0] = f[1]
    return np.fft.irfft(X / f ** (alpha / 2), T)


for lvl in (-10, -20, -30, -40, -50):
    write('noise', f'white_gauss@{lvl}', at_db(rng.standard_normal(T), lvl))
    write('noise', f'pink@{lvl}', at_db(colored(1), lvl))
    write('noise', f'brown@{lvl}', at_db(colored(2), lvl))
write('noise', 'uniform_full', rng.uniform(-1, 1, T))
write('noise', 'uniform_half', rng.uniform(-0.5, 0.5, T))
write('noise', 'uniform_0.1', rng.uniform(-0.1, 0.1, T))
write('noise', 'gauss_0.3', np.clip(rng.normal(0, 0.3, T), -1, 1))
for lvl in (-20, -40):
    write('noise', f'lowpass_white@{lvl}', at_db(resample_poly(rng.standard_normal(T // 4), 4, 1)[:T], lvl))

for f0 in (50, 60):
    for lvl in (-15, -35):
        h = sum(np.sin(2 * np.pi * f0 * k * t + rng.uniform(0, 6.3)) / k for k in range(1, 11))
        write('hum', f'hum{f0}@{lvl}', at_db(h, lvl))
    h = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, 21) if k % 2) + 0.01 * rng.standard_normal(T)
    write('hum', f'hum{f0}_odd_noisy', at_db(h, -25))

for f in (100, 220, 440, 1000, 3000, 6000):
    write('tone', f'sine{f}@-10', at_db(np.sin(2 * np.pi * f * t), -10))
write('tone', 'sine440@-40', at_db(np.sin(2 * np.pi * 440 * t), -40))
write('tone', 'dtmf_697_1209', at_db(np.sin(2 * np.pi * 697 * t) + np.sin(2 * np.pi * 1209 * t), -15))
write('tone', 'multitone5', at_db(sum(np.sin(2 * np.pi * f * t) for f in (300, 700, 1100, 1900, 2700)), -15))
write('tone', 'harmonic150x12', at_db(sum(np.sin(2 * np.pi * 150 * k * t) / k for k in range(1, 13)), -15))
beep = np.where((t % 1.0) < 0.5, np.sin(2 * np.pi * 1000 * t), 0)
write('tone', 'beeps_1k_0.5s', at_db(beep, -15))

sweep_lin = np.sin(2 * np.pi * (100 * (t % 1.0) + 0.5 * 3900 * (t % 1.0) ** 2))
write('chirp', 'chirp_lin_100_4k_1s', at_db(sweep_lin, -15))
k = np.log(7000 / 50) / 10
write('chirp', 'chirp_log_50_7k_10s', at_db(np.sin(2 * np.pi * 50 * (np.exp(k * t) - 1) / k), -15))
tt = t % 0.25
write('chirp', 'chirp_down_250ms', at_db(np.sin(2 * np.pi * (2000 * tt - 0.5 * 6000 * tt ** 2)) * (tt < 0.2), -20))

for rate in (2, 5, 10, 20):
    c = np.zeros(T)
    c[(np.arange(0, 10, 1 / rate) * SR).astype(int)] = 0.9
    write('clicks', f'clicks_{rate}Hz', c)
    d = np.zeros(T)
    burst = np.exp(-np.arange(160) / 20) * rng.standard_normal(160)
    for s in (np.arange(0, 10, 1 / rate) * SR).astype(int):
        d[s:s + 160] += burst[:len(d[s:s + 160])]
    write('clicks', f'clickbursts_{rate}Hz', at_db(d, -25) + 1e-4 * rng.standard_normal(T))


def note(f0, dur, timbre, vib=0.0):
    n = int(dur * SR)
    tn = np.arange(n) / SR
    env = np.minimum(1, tn / 0.01) * np.exp(-tn / (dur * timbre[1]))
    ph = 2 * np.pi * f0 * tn + vib * np.sin(2 * np.pi * 5.5 * tn)
    return env * sum(np.sin(k * ph) * timbre[0] ** (k - 1) for k in range(1, 9))


def music(seed, chords, vib=0.0, level=-20):
    r = np.random.default_rng(seed)
    x = np.zeros(T + SR)
    pos = 0
    scale = 220 * 2 ** (np.array([0, 2, 4, 5, 7, 9, 11, 12, 14, 16]) / 12)
    while pos < T:
        dur = r.choice([0.125, 0.25, 0.25, 0.5, 0.75])
        timbre = (r.uniform(0.3, 0.8), r.uniform(0.3, 1.0))
        root = r.integers(0, 7)
        for j in ((0, 2, 4) if chords else (0,)):
            f = scale[min(root + j, 9)] * (0.5 if chords and j == 0 else 1)
            s = note(f, dur * 1.3, timbre, vib)
            x[pos:pos + len(s)] += s[:len(x) - pos]
        pos += int(dur * SR)
    return at_db(x[:T], level)


write('music', 'melody', music(1, False))
write('music', 'chords', music(2, True))
write('music', 'melody_vibrato', music(3, False, vib=2.0))
write('music', 'chords_loud', music(4, True, level=-10))
write('music', 'melody_plus_chords', at_db(music(5, False) + 0.5 * music(6, True), -18))
write('music', 'melody_quiet', music(7, False, level=-40))

for i, x in enumerate(libri[:20]):
    X = np.fft.rfft(x)
    y = np.fft.irfft(np.abs(X) * np.exp(1j * rng.uniform(0, 2 * np.pi, len(X))), len(x))
    write('speech_shaped', f'ssn_{i:02d}', at_db(y, rms_db(x)))

with open(os.path.join(out, 'list.tsv'), 'w') as fh:
    fh.write('\n'.join(rows) + '\n')
print(len(rows), 'files')
