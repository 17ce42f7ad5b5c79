"""Utterance lists per speaker from the allowed folders of ../shared/audio, and a seeded train/val speaker split.

Allowed: librispeech_train-clean-100, speech_commands_v0.02_test, fsdd, speechbrain_tests_ASR.
librispeech_test-other is the held-out evaluation set: this module refuses to list it.
Speaker ids keep a dataset prefix (SOURCES.md conventions):
  ls:<SPK>      LibriSpeech  SPK-CHAPTER-UTT.flac
  sc:<8-hex>    Speech Commands  <word>/<spk>_nohash_<n>.wav, _unknown_/<word>_<spk>_nohash_<n>.wav.wav
  fsdd:<name>   FSDD  {digit}_{speaker}_{index}.wav (8 kHz)
  sb:spkN       SpeechBrain samples  spkN_sntM.wav
"""
import collections
import os
import random
import re

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("SID_SHARED_DIR", os.path.join(HERE, "..", "..", "..", "shared"))
AUDIO = os.path.join(SHARED, "audio")
ALLOWED = ("librispeech_train-clean-100", "speech_commands_v0.02_test", "fsdd", "speechbrain_tests_ASR")
FORBIDDEN = "librispeech_test-other"
SR = 16000


def _speaker_of(dataset, rel):
    name = os.path.basename(rel)
    if dataset == "librispeech_train-clean-100":
        m = re.fullmatch(r"(\d+)-(\d+)-(\d+)\.flac", name)
        return m and "ls:" + m.group(1)
    if dataset == "speech_commands_v0.02_test":
        m = re.fullmatch(r"(?:[a-z_]+_)?([0-9a-f]{8})_nohash_\d+\.wav(?:\.wav)?", name)
        return m and "sc:" + m.group(1)
    if dataset == "fsdd":
        m = re.fullmatch(r"\d_([a-z]+)_\d+\.wav", name)
        return m and "fsdd:" + m.group(1)
    if dataset == "speechbrain_tests_ASR":
        m = re.fullmatch(r"(spk\d+)_snt\d+\.wav", name)
        return m and "sb:" + m.group(1)
    return None


def list_speakers(audio_dir=AUDIO, datasets=ALLOWED):
    """{speaker_id: [absolute paths, sorted]} over the allowed datasets (sorted speaker order)."""
    spk = collections.defaultdict(list)
    for ds in datasets:
        if ds == FORBIDDEN or ds not in ALLOWED:
            raise ValueError(f"{ds}: not an allowed training folder")
        root = os.path.join(audio_dir, ds)
        for dirpath, dirnames, files in os.walk(root):
            dirnames.sort()
            for f in sorted(files):
                if not (f.endswith(".wav") or f.endswith(".flac")):
                    continue
                path = os.path.join(dirpath, f)
                assert FORBIDDEN not in path
                s = _speaker_of(ds, path)
                if s:
                    spk[s].append(path)
    return {k: sorted(v) for k, v in sorted(spk.items())}


def split_speakers(speakers, val_fraction=0.1, seed=1234, val_prefixes=("ls:", "sc:")):
    """Seeded split: val_fraction of each prefix group in val_prefixes (LibriSpeech, Speech Commands) is held out;
    the other datasets (few speakers) all go to training. Returns (train_ids, val_ids), both sorted."""
    rng = random.Random(seed)
    val = []
    for p in val_prefixes:
        ids = sorted(s for s in speakers if s.startswith(p))
        if p == "sc:":  # validation needs >= 2 utterances per speaker for target trials
            ids = [s for s in ids if len(speakers[s]) >= 2]
        n = max(1, int(round(val_fraction * len(ids))))
        val += rng.sample(ids, n)
    val = sorted(val)
    train = sorted(s for s in speakers if s not in set(val))
    return train, val


def load_audio(path):
    """Mono float32 at 16 kHz (8 kHz FSDD is upsampled x2 with a polyphase filter)."""
    import soundfile as sf
    from scipy.signal import resample_poly

    x, sr = sf.read(path, dtype="float32", always_2d=True)
    x = x.mean(axis=1)
    if sr != SR:
        g = np.gcd(sr, SR)
        x = resample_poly(x, SR // g, sr // g).astype(np.float32)
    return np.ascontiguousarray(x, dtype=np.float32)


def load_all(speakers, ids):
    """{speaker: [np.float32 arrays]} decoded into memory."""
    return {s: [load_audio(p) for p in speakers[s]] for s in ids}


if __name__ == "__main__":
    spk = list_speakers()
    tr, va = split_speakers(spk)
    by = collections.Counter(s.split(":")[0] for s in spk)
    print("speakers", len(spk), dict(by), "utterances", sum(len(v) for v in spk.values()))
    print("train", len(tr), "val", len(va), va[:8])
