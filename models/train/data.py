"""Utterance lists per speaker from the allowed folders of ../shared/audio, and a seeded train/val speaker split.

Allowed: librispeech_train-clean-100, speech_commands_v0.02_test, fsdd, speechbrain_tests_ASR, speechocean762,
wuw-corpus-ii.
librispeech_test-other is the held-out evaluation set: this module refuses to list it.
Speaker ids keep a dataset prefix (SOURCES.md conventions):
  ls:<SPK>      LibriSpeech  SPK-CHAPTER-UTT.flac
  sc:<8-hex>    Speech Commands  <word>/<spk>_nohash_<n>.wav, _unknown_/<word>_<spk>_nohash_<n>.wav.wav
  fsdd:<name>   FSDD  {digit}_{speaker}_{index}.wav (8 kHz)
  sb:spkN       SpeechBrain samples  spkN_sntM.wav
  so:NNNN       speechocean762  SPEAKERNNNN/<utt>.opus (Ogg Opus 16 kHz; half of the speakers are children)
  wuw:NNNNN     WUW Corpus II  calls/NNNNN/WUWIINNNNN_0KK.opus (Ogg Opus 8 kHz telephone, upsampled x2); one id per
                session folder. A caller may have made several calls: `wuw_groups` links suspected duplicates
                (back-to-back calls of the same gender and dialect), so validation holds out whole groups and
                never uses a pair inside a group as an impostor trial.
"""
import json
import collections
import os
import random
import re

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("SID_SHARED_DIR", os.path.join(HERE, "..", "..", "..", "shared"))
AUDIO = os.path.join(SHARED, "audio")
ALLOWED = ("librispeech_train-clean-100", "speech_commands_v0.02_test", "fsdd", "speechbrain_tests_ASR",
           "speechocean762", "wuw-corpus-ii")
AUDIO_EXT = (".wav", ".flac", ".opus")
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
    if dataset == "speechocean762":
        m = re.fullmatch(r"SPEAKER(\d{4})", os.path.basename(os.path.dirname(rel)))
        return m and name.endswith(".opus") and "so:" + m.group(1)
    if dataset == "wuw-corpus-ii":
        m = re.fullmatch(r"WUWII(\d{5})_(\d{3})\.opus", name)
        return m and m.group(2) != "000" and "wuw:" + m.group(1)
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
                if not f.endswith(AUDIO_EXT):
                    continue
                path = os.path.join(dirpath, f)
                assert FORBIDDEN not in path
                s = _speaker_of(ds, path)
                if s:
                    spk[s].append(path)
    return {k: sorted(v) for k, v in sorted(spk.items())}


def _split_old(speakers, val_fraction, seed, val_prefixes=("ls:", "sc:")):
    """The original split of LibriSpeech and Speech Commands speakers, unchanged (same seed, same RNG calls), so that
    the held-out ls:/sc: speakers are exactly those the first compact-ecapa never saw."""
    rng = random.Random(seed)
    val = []
    for p in val_prefixes:
        ids = sorted(s for s in speakers if s.startswith(p))
        if p == "sc:":  # validation needs >= 2 utterances per speaker for target trials
            ids = [s for s in ids if len(speakers[s]) >= 2]
        n = max(1, int(round(val_fraction * len(ids))))
        val += rng.sample(ids, n)
    return val


def so_children(audio_dir=AUDIO):
    """{so:NNNN: age} of speechocean762 (train/ and test/ spk2age)."""
    ages = {}
    for part in ("train", "test"):
        path = os.path.join(audio_dir, "speechocean762", part, "spk2age")
        if os.path.exists(path):
            for line in open(path):
                f = line.split()
                if len(f) == 2:
                    ages["so:" + f[0]] = int(f[1])
    return ages


def wuw_groups(audio_dir=AUDIO, max_gap_s=600):
    """Suspected same-caller groups of WUW sessions: sessions sorted by recording time are linked when the next one
    starts within max_gap_s of the previous one's last utterance and has the same gender and dialect (metadata.json).
    -> {wuw:NNNNN: group id (the first session of the group)}. A heuristic: it links some different callers too
    (people queueing at one phone), which only costs validation some impostor pairs."""
    from datetime import datetime

    path = os.path.join(audio_dir, "wuw-corpus-ii", "metadata.json")
    if not os.path.exists(path):
        return {}
    ses = collections.defaultdict(list)
    for r in json.load(open(path))["entries"]:
        ses[r["sessionNumber"]].append(r)
    t = lambda x: datetime.fromisoformat(x.replace("Z", "+00:00")).timestamp()
    rows = sorted((min(t(r["dateRecorded"]) for r in v), max(t(r["dateRecorded"]) for r in v), k,
                   v[0]["gender"], v[0]["dialect"]) for k, v in ses.items())
    group = {}
    for i, (start, end, k, g, d) in enumerate(rows):
        group[k] = k
        if i:
            ps, pe, pk, pg, pd = rows[i - 1]
            if start - pe <= max_gap_s and (g, d) == (pg, pd):
                group[k] = group[pk]
    return {"wuw:" + k: "wuw:" + v for k, v in group.items()}


def split_speakers(speakers, val_fraction=0.1, seed=1234, val_prefixes=("ls:", "sc:", "so:", "wuw:")):
    """Seeded split. ls:/sc: exactly as in the first model (_split_old). Then, with a separate RNG (seed + 1):
    so: held out as val_fraction of the children (age <= 15) and of the adults separately; wuw: val_fraction of the
    suspected-caller groups (wuw_groups), whole groups. The other datasets (few speakers) all go to training.
    Returns (train_ids, val_ids), both sorted."""
    val = _split_old(speakers, val_fraction, seed, tuple(p for p in val_prefixes if p in ("ls:", "sc:")))
    rng = random.Random(seed + 1)
    if "so:" in val_prefixes:
        ages = so_children()
        ids = sorted(s for s in speakers if s.startswith("so:"))
        for kids in (True, False):
            part = [s for s in ids if (ages.get(s, 99) <= 15) == kids]
            if part:
                val += rng.sample(part, max(1, int(round(val_fraction * len(part)))))
    if "wuw:" in val_prefixes:
        grp = wuw_groups()
        ids = sorted(s for s in speakers if s.startswith("wuw:"))
        groups = sorted(set(grp.get(s, s) for s in ids))
        if groups:
            chosen = set(rng.sample(groups, max(1, int(round(val_fraction * len(groups))))))
            val += [s for s in ids if grp.get(s, s) in chosen]
    val = sorted(set(val))
    train = sorted(s for s in speakers if s not in set(val))
    return train, val


def load_audio(path):
    """Mono float32 at 16 kHz (8 kHz FSDD and WUW are upsampled x2 with a polyphase filter)."""
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
    print("train", len(tr), "val", len(va), dict(collections.Counter(s.split(":")[0] for s in va)))
    ages = so_children()
    print("so: val children", sum(ages.get(s, 99) <= 15 for s in va if s.startswith("so:")),
          "adults", sum(ages.get(s, 99) > 15 for s in va if s.startswith("so:")))
    g = wuw_groups()
    print("wuw groups", len(set(g.values())), "sessions in multi-session groups",
          sum(1 for s in g if sum(1 for t in g.values() if t == g[s]) > 1))
