"""Default threshold of a trained encoder, calibrated on the held-out *training* speakers (never on test-other):
the raw-cosine threshold at the equal-error point of the validation pairs (train.py's protocol). By default only
the LibriSpeech speakers' 3 s segments count (--subset ls): the library identifies sentences, and 1 s words (Speech
Commands) score lower and would pull the threshold down into false accepts for sentence-length audio.

  /usr/bin/python3 models/train/calibrate.py --ckpt build/models/compact/embedding_model.ckpt \
      --hparams build/models/compact/hyperparams.yaml [--seed 1234]
Prints JSON: {"threshold", "eer", "trials"}.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import data  # noqa: E402
from features import fbank  # noqa: E402
from nets import ecapa_tdnn  # noqa: E402
from train import build_val  # noqa: E402


def eer_threshold(scores, labels):
    """(eer, threshold): the score where false-accept and false-reject rates cross (accept when score >= t)."""
    order = np.argsort(-scores, kind="stable")
    s, lab = scores[order], labels[order]
    tp, fp = np.cumsum(lab), np.cumsum(1 - lab)
    frr = 1 - tp / lab.sum()
    far = fp / (1 - lab).sum()
    i = int(np.argmin(np.abs(frr - far)))
    return float((frr[i] + far[i]) / 2), float(s[i])


def centroid_trials(embs, spk):
    """Segment-vs-enrolled-speaker trials, the way SpeakerId scores (identify / verify against a centroid).
    Each speaker with >= 2 segments is enrolled from all its segments but one (centroid = L2(mean(L2))); the left-out
    segment is a target trial against it (every segment is left out in turn) and a non-target trial against every
    other speaker's centroid of all its segments. Caveat: a LibriSpeech speaker's segments come from ONE utterance,
    so target trials are same-session and score higher than real enroll-today, identify-tomorrow use."""
    names = sorted(set(spk))
    idx = {n: [i for i, s in enumerate(spk) if s == n] for n in names}
    names = [n for n in names if len(idx[n]) >= 2]
    unit = lambda v: v / np.linalg.norm(v)
    full = {n: unit(embs[idx[n]].mean(axis=0)) for n in names}
    scores, labels = [], []
    for n in names:
        for i in idx[n]:
            rest = [j for j in idx[n] if j != i]
            scores.append(float(embs[i] @ unit(embs[rest].mean(axis=0))))
            labels.append(1)
            for m in names:
                if m != n:
                    scores.append(float(embs[i] @ full[m]))
                    labels.append(0)
    return np.array(scores), np.array(labels, dtype=np.int64)


@torch.no_grad()
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--hparams", required=True)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--subset", choices=["ls", "sc", "all"], default="ls")
    ap.add_argument("--protocol", choices=["pairs", "centroid"], default="pairs",
                    help="pairs: segment vs segment (train.py's validation); centroid: segment vs enrolled speaker")
    args = ap.parse_args()
    torch.set_num_threads(2)
    model, _ = ecapa_tdnn.load(args.ckpt, open(args.hparams).read())
    speakers = data.list_speakers()
    _, val = data.split_speakers(speakers, seed=args.seed)
    segs = build_val(data.load_all(speakers, val))
    if args.subset != "all":
        segs = [(s, x) for s, x in segs if s.startswith(args.subset + ":")]
    embs = torch.stack([F.normalize(model(fbank(torch.from_numpy(x)[None]))[0, 0], dim=0) for _, x in segs]).numpy()
    spk = [s for s, _ in segs]
    if args.protocol == "centroid":
        scores, labels = centroid_trials(embs, spk)
    else:
        iu = np.triu_indices(len(segs), 1)
        scores = (embs @ embs.T)[iu]
        labels = np.array([spk[i] == spk[j] for i, j in zip(*iu)], dtype=np.int64)
    eer, thr = eer_threshold(scores, labels)
    print(json.dumps({"threshold": round(thr, 4), "eer": round(eer, 4), "subset": args.subset, "protocol": args.protocol,
                      "trials": {"target": int(labels.sum()), "nontarget": int((1 - labels).sum())}}))


if __name__ == "__main__":
    main()
