"""The validation protocol, in one place: held-out *training-corpus* speakers only (data.split_speakers), never
librispeech_test-other. Used by train.py (checkpoint selection, PyTorch embeddings), by calibrate.py (threshold and
confidence map) and by validate.py (the report, embeddings from the library on ONNX models).

Items (one embedding each), built from the validation speakers:
  ls:  up to 4 non-overlapping 3 s segments of the speaker's one utterance            kind "speech"
  so:  each 2-6 s read sentence, whole (one session per speaker; half are children)     kind "speech"
  wuw: each 006-010 sentence, whole (telephone)                                           kind "speech"
       each 001-005 keyword alone, whole                                                  kind "word"
  sc:  each 1 s single word, whole                                                         kind "word"

Measures (cosine of L2-normalised embeddings):
  eer_<corpus>   same-corpus pair EER on "speech" items of one corpus (all impostors recorded the same way) for
                 so, wuw, ls; eer_words_sc: 1 s words (sc:); eer_words_wuw: telephone keywords (wuw:);
  eer_long       pair EER pooled over all "speech" items of >= 3 s (cross-corpus impostors included);
  open-set       per corpus a gallery: a seeded half of the corpus's validation speakers is enrolled with 3 items
                 (centroid = L2(mean(L2)), as SpeakerId does); probes are the enrolled speakers' other items and all
                 items of never-enrolled speakers. A probe is right when the best centroid >= threshold is its
                 speaker, or when an unenrolled speaker's probe has no centroid >= threshold ('unknown').
                 Galleries: so, wuw, ls (speech) and sc (1 s words, reported apart).
  centroid trials  every probe against every centroid of its gallery (target when it is the probe's speaker):
                 what the threshold and the calibration are fitted on.
WUW: pairs inside one suspected-caller group (data.wuw_groups) are never impostor trials, and a session sharing a
group with an enrolled session is not used as an 'unknown' probe.
"""
import json
import math
import os
import random
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import data  # noqa: E402

SR = 16000
SEG_S = 3.0
ENROLL = 3
SPEECH_GALLERIES = ("so", "wuw", "ls")


def corpus_of(spk):
    return spk.split(":")[0]


def build_items(speakers, val_ids, seed=1234):
    """-> list of item dicts {spk, corpus, kind, path (relative to data.AUDIO), start, dur} (seconds; start None =
    whole file). Reads audio to measure durations and cut segments; deterministic."""
    items = []
    for spk in val_ids:
        c = corpus_of(spk)
        for path in speakers[spk]:
            rel = os.path.relpath(path, data.AUDIO)
            if c == "ls":
                x = data.load_audio(path)
                n = int(SEG_S * SR)
                for k in range(min(4, len(x) // n)):
                    items.append(dict(spk=spk, corpus=c, kind="speech", path=rel, start=k * SEG_S, dur=SEG_S))
                break  # one utterance per LibriSpeech speaker
            import soundfile as sf

            info = sf.info(path)
            dur = round(info.frames / info.samplerate, 3)
            if c == "wuw":
                kind = "word" if int(os.path.basename(path)[-8:-5]) <= 5 else "speech"
            elif c == "sc":
                kind = "word"
            else:
                kind = "speech"
            items.append(dict(spk=spk, corpus=c, kind=kind, path=rel, start=None, dur=dur))
    groups = data.wuw_groups()
    for it in items:
        it["group"] = groups.get(it["spk"], it["spk"])
    # open-set galleries: seeded half of each corpus's speakers enrolled with 3 items
    rng = random.Random(seed + 2)
    enroll = {}
    for g, kind in [("so", "speech"), ("wuw", "speech"), ("ls", "speech"), ("sc", "word")]:
        spks = sorted(set(it["spk"] for it in items if it["corpus"] == g and it["kind"] == kind))
        spks = [s for s in spks if sum(1 for it in items if it["spk"] == s and it["kind"] == kind) >= ENROLL + 1]
        chosen = sorted(rng.sample(spks, len(spks) // 2))
        for s in chosen:
            idx = [i for i, it in enumerate(items) if it["spk"] == s and it["kind"] == kind]
            enroll[s] = sorted(rng.sample(idx, ENROLL))
    return {"version": 1, "seed": seed, "items": items, "enroll": enroll,
            "galleries": {"so": "speech", "wuw": "speech", "ls": "speech", "sc": "word"}}


def load_item(it):
    """float32 16 kHz waveform of an item (python path: data.load_audio, resample_poly for 8 kHz)."""
    x = data.load_audio(os.path.join(data.AUDIO, it["path"]))
    if it["start"] is not None:
        a = int(round(it["start"] * SR))
        x = x[a:a + int(round(it["dur"] * SR))]
    return x


def eer_threshold(scores, labels):
    """(eer, threshold) where false accepts and false rejects cross (accept when score >= threshold)."""
    scores, labels = np.asarray(scores, dtype=np.float64), np.asarray(labels, dtype=np.int64)
    order = np.argsort(-scores, kind="stable")
    s, lab = scores[order], labels[order]
    tp, fp = np.cumsum(lab), np.cumsum(1 - lab)
    frr = 1 - tp / max(lab.sum(), 1)
    far = fp / max((1 - lab).sum(), 1)
    i = int(np.argmin(np.abs(frr - far)))
    return float((frr[i] + far[i]) / 2), float(s[i])


def _pairs(items, sel):
    """Upper-triangle pairs among item indices sel, minus WUW same-group different-session pairs."""
    sel = np.asarray(sel)
    i, j = np.triu_indices(len(sel), 1)
    a, b = sel[i], sel[j]
    spk = np.array([it["spk"] for it in items])
    grp = np.array([it["group"] for it in items])
    same = spk[a] == spk[b]
    keep = same | (grp[a] != grp[b])
    return a[keep], b[keep], same[keep].astype(np.int64)


def pair_eer(E, items, sel):
    if len(sel) < 2:
        return float("nan"), 0, 0
    a, b, lab = _pairs(items, sel)
    sc = np.einsum("ij,ij->i", E[a], E[b])
    if lab.sum() == 0 or lab.sum() == len(lab):
        return float("nan"), int(lab.sum()), int(len(lab) - lab.sum())
    return eer_threshold(sc, lab)[0], int(lab.sum()), int(len(lab) - lab.sum())


def unit(v):
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def gallery(E, proto, g):
    """-> (names, C [n, d], probes [(item index, true speaker or None)]) of gallery g."""
    items, kind = proto["items"], proto["galleries"][g]
    enrolled = sorted(s for s in proto["enroll"] if corpus_of(s) == g)
    used = set(i for s in enrolled for i in proto["enroll"][s])
    ok = [s for s in enrolled if all(np.isfinite(E[i]).all() for i in proto["enroll"][s])]
    C = np.stack([unit(unit(E[proto["enroll"][s]]).mean(axis=0)) for s in ok]) if ok else np.zeros((0, E.shape[1]))
    egroups = set(items[proto["enroll"][s][0]]["group"] for s in ok)
    probes = []
    for i, it in enumerate(items):
        if it["corpus"] != g or it["kind"] != kind or i in used or not np.isfinite(E[i]).all():
            continue
        if it["spk"] in ok:
            probes.append((i, it["spk"]))
        elif it["spk"] not in enrolled and it["group"] not in egroups:
            probes.append((i, None))
    return ok, C, probes


def centroid_trials(E, proto, galleries):
    """Every probe against every centroid of its gallery -> (scores, labels, probe durations, corpus tags)."""
    S, L, D, G = [], [], [], []
    for g in galleries:
        names, C, probes = gallery(E, proto, g)
        for i, true in probes:
            s = C @ E[i]
            S += list(s)
            L += [int(n == true) for n in names]
            D += [proto["items"][i]["dur"]] * len(names)
            G += [g] * len(names)
    return np.array(S), np.array(L, dtype=np.int64), np.array(D), np.array(G)


def open_set(E, proto, g, threshold):
    """-> dict(acc, acc_enrolled, acc_unknown, n_enrolled, n_unknown) of gallery g; threshold may be a callable
    (score, duration) -> accept, for duration-aware decisions."""
    names, C, probes = gallery(E, proto, g)
    right_e = right_u = n_e = n_u = 0
    for i, true in probes:
        s = C @ E[i]
        k = int(np.argmax(s))
        if callable(threshold):
            acc_ok = bool(threshold(float(s[k]), proto["items"][i]["dur"]))
        else:
            acc_ok = s[k] >= threshold
        pred = names[k] if acc_ok else None
        if true is None:
            n_u += 1
            right_u += pred is None
        else:
            n_e += 1
            right_e += pred == true
    n = n_e + n_u
    return {"acc": (right_e + right_u) / max(n, 1), "acc_enrolled": right_e / max(n_e, 1),
            "acc_unknown": right_u / max(n_u, 1), "n_enrolled": n_e, "n_unknown": n_u, "speakers": len(names)}


def best_open_set_threshold(E, proto, galleries):
    """Threshold maximising the pooled open-set accuracy of the galleries (the midpoint of the best plateau)."""
    cand = np.linspace(0.0, 1.0, 201)
    accs = []
    for t in cand:
        r = [open_set(E, proto, g, t) for g in galleries]
        n = sum(x["n_enrolled"] + x["n_unknown"] for x in r)
        accs.append(sum(x["acc"] * (x["n_enrolled"] + x["n_unknown"]) for x in r) / max(n, 1))
    accs = np.array(accs)
    best = np.flatnonzero(accs >= accs.max() - 1e-12)
    return float(cand[best].mean()), float(accs.max())


def measures(E, proto, threshold=None):
    """All validation figures of embeddings E (rows aligned with proto['items']; NaN rows = refused items)."""
    items = proto["items"]
    E = np.asarray(E, dtype=np.float64)
    ok = np.isfinite(E).all(axis=1)
    E = np.where(ok[:, None], E, np.nan)
    E[ok] = unit(E[ok])
    sel = lambda f: [i for i, it in enumerate(items) if ok[i] and f(it)]
    out = {"items": len(items), "refused": int((~ok).sum())}
    for c in SPEECH_GALLERIES:
        out[f"eer_{c}"], out[f"tgt_{c}"], out[f"non_{c}"] = pair_eer(E, items, sel(
            lambda it: it["corpus"] == c and it["kind"] == "speech"))
    out["eer_words_sc"], out["tgt_words_sc"], out["non_words_sc"] = pair_eer(E, items, sel(
        lambda it: it["corpus"] == "sc"))
    out["eer_words_wuw"], out["tgt_words_wuw"], out["non_words_wuw"] = pair_eer(E, items, sel(
        lambda it: it["corpus"] == "wuw" and it["kind"] == "word"))
    out["eer_long"], out["tgt_long"], out["non_long"] = pair_eer(E, items, sel(
        lambda it: it["kind"] == "speech" and it["dur"] >= 3.0))
    out["eer_same_corpus_mean"] = float(np.mean([out[f"eer_{c}"] for c in SPEECH_GALLERIES]))
    # selection criterion: mean of the three same-corpus speech EERs and the 1 s word EER
    out["val_eer"] = float(np.mean([out["eer_so"], out["eer_wuw"], out["eer_ls"], out["eer_words_sc"]]))
    s, l, _, _ = centroid_trials(E, proto, SPEECH_GALLERIES)
    out["centroid_eer"], out["centroid_eer_threshold"] = eer_threshold(s, l)
    out["best_open_set_threshold"], out["best_open_set_acc"] = best_open_set_threshold(E, proto, SPEECH_GALLERIES)
    if threshold is not None:
        # a callable (score, probe seconds) -> accept is a duration-aware decision (open_set)
        out["threshold"] = None if callable(threshold) else threshold
        tot = {"n": 0, "right": 0}
        for g in list(SPEECH_GALLERIES) + ["sc"]:
            r = open_set(E, proto, g, threshold)
            out[f"open_{g}"] = r
            if g in SPEECH_GALLERIES:
                n = r["n_enrolled"] + r["n_unknown"]
                tot["n"] += n
                tot["right"] += r["acc"] * n
        out["open_speech_acc"] = tot["right"] / max(tot["n"], 1)
    return out


# ---- calibration: logistic P(same speaker | cosine [, probe duration]) -------------------------------------------

def fit_logistic(X, y, l2=1e-4, iters=100):
    """Weighted logistic regression by Newton's method, classes balanced (each class total weight 1/2): the output
    is P(same speaker) at a prior of 0.5. X [n, k] (a bias column is added); -> weights [k + 1] (last = bias)."""
    X = np.hstack([np.asarray(X, dtype=np.float64), np.ones((len(X), 1))])
    y = np.asarray(y, dtype=np.float64)
    w = np.where(y == 1, 0.5 / max(y.sum(), 1), 0.5 / max((1 - y).sum(), 1))
    beta = np.zeros(X.shape[1])
    for _ in range(iters):
        p = 1 / (1 + np.exp(-(X @ beta)))
        g = X.T @ (w * (p - y)) + l2 * beta
        H = (X * (w * p * (1 - p))[:, None]).T @ X + l2 * np.eye(X.shape[1])
        step = np.linalg.solve(H, g)
        beta -= step
        if np.abs(step).max() < 1e-10:
            break
    return beta


def cllr(p, y):
    """Balanced cross-entropy in bits of calibrated probabilities (lower is better; 1.0 = uninformative)."""
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return float(-0.5 * (np.mean(np.log2(p[y == 1])) + np.mean(np.log2(1 - p[y == 0]))))


def load_protocol(path):
    with open(path) as f:
        return json.load(f)


def protocol_path(seed=1234):
    return os.path.join(HERE, f"val-protocol-seed{seed}.json")


def ensure_protocol(seed=1234, path=None):
    """The protocol file (written once from data.split_speakers; a list of file names and segment offsets, no audio)."""
    path = path or protocol_path(seed)
    if os.path.exists(path):
        return load_protocol(path)
    speakers = data.list_speakers()
    _, val = data.split_speakers(speakers, seed=seed)
    proto = build_items(speakers, val, seed)
    proto["val_speakers"] = val
    with open(path, "w") as f:
        json.dump(proto, f, indent=0)
    return proto


if __name__ == "__main__":
    p = ensure_protocol()
    import collections

    print(len(p["items"]), collections.Counter((it["corpus"], it["kind"]) for it in p["items"]))
    print("enrolled", collections.Counter(corpus_of(s) for s in p["enroll"]))
