"""The validation report: old vs new (any ECAPA ONNX models) on the held-out training-corpus speakers of
protocol.py, measured through the library itself, and on librispeech_test-other through the CLI's eval.

  /usr/bin/python3 models/train/validate.py \
      --model old=build/val/old-compact-ecapa.onnx@0.4523 --model new=models/compact/compact-ecapa.onnx [--out R.json]

MODEL = label=path.onnx[@threshold | @calibration.json]; without @threshold the manifest entry with that file's
sha256 gives the default decision: its threshold, or for a duration-aware calibration (kind "logistic-duration")
confidence >= its confidence_at_threshold at each probe's duration, as the library decides. @calibration.json
decides with that calibration instead (e.g. calibrate.py --write-duration's map, to compare it with the plain one).
Embeddings: node models/train/embed-items.mjs (SpeakerId.create({ model }).embed(): the C++/wasm front-end and
onnxruntime-web wasm, 1 thread), cached in build/val/emb-<sha256[:16]>.json (test-other: test-other-<sha256[:16]>.json). test-other: `node web/cli/speaker-id.mjs
eval ../shared/audio/librispeech_test-other --model PATH --json` (what `npm start` runs for the default model), and
open-set identification on test-other at the default decision (every utterance embedded by embed-items.mjs; 300
seeded draws of 5 of its 10 speakers enrolled with 3 utterances, or with 1, probes: their other utterances and all
of the others'): an independent check of the decision, chosen on nothing.
Prints a markdown table (stdout) and writes the JSON of all figures to --out.
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import data  # noqa: E402
import protocol  # noqa: E402


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def manifest_entry(digest):
    m = json.load(open(os.path.join(ROOT, "models", "manifest.json")))
    return next((e for e in m["models"] if e.get("onnx_sha256") == digest), None)


def library_embeddings(onnx, proto_path, cache_dir):
    digest = sha256(onnx)
    out = os.path.join(cache_dir, f"emb-{digest[:16]}.json")
    if not os.path.exists(out):
        r = subprocess.run(["node", os.path.join(HERE, "embed-items.mjs"), onnx, proto_path, out], cwd=ROOT,
                           capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"validate: embedding with {onnx} failed:\n{r.stderr[-2000:]}")
    d = json.load(open(out))
    dim = next(len(e) for e in d["embeddings"] if e is not None)
    E = np.array([e if e is not None else [np.nan] * dim for e in d["embeddings"]], dtype=np.float64)
    return E, d


def test_other(onnx, cache_dir):
    out = os.path.join(cache_dir, f"test-other-{sha256(onnx)[:16]}.json")
    if os.path.exists(out):
        return json.load(open(out))
    r = subprocess.run(["node", os.path.join(ROOT, "web", "cli", "speaker-id.mjs"), "eval",
                        os.path.join(data.AUDIO, "librispeech_test-other"), "--model", onnx, "--json"],
                       cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        return {"error": r.stderr.strip()[-500:]}
    with open(out, "w") as f:
        f.write(r.stdout)
    return json.loads(r.stdout)


def duration_decision(cal):
    """A 'logistic-duration' calibration (web/src/calibration.mjs) -> (score, seconds) -> accept."""
    w, (lo, hi), c = cal["w"], cal["duration_range"], cal["confidence_at_threshold"]
    z_accept = np.log(c / (1 - c))

    def accept(score, d):
        L = np.log(min(hi, max(lo, d)) / 3.0)
        return w[0] * score + w[1] * L + w[2] * score * L + w[3] >= z_accept
    return accept


def test_other_open_set(onnx, cache_dir, decision, enroll=3, seed=1234, draws=300):
    """Open-set accuracy on librispeech_test-other at a decision (raw threshold or callable), mean over draws."""
    import soundfile as sf
    root = os.path.join(data.AUDIO, "librispeech_test-other")
    items_path = os.path.join(cache_dir, "test-other-items.json")
    if not os.path.exists(items_path):
        items = [dict(spk=spk, corpus="to", kind="speech", path=f"librispeech_test-other/{spk}/{f}", start=None,
                      dur=round(sf.info(os.path.join(root, spk, f)).duration, 3))
                 for spk in sorted(os.listdir(root)) if os.path.isdir(os.path.join(root, spk))
                 for f in sorted(os.listdir(os.path.join(root, spk))) if f.endswith(".flac")]
        with open(items_path, "w") as f:
            json.dump({"items": items}, f)
    items = json.load(open(items_path))["items"]
    out = os.path.join(cache_dir, f"test-other-emb-{sha256(onnx)[:16]}.json")
    if not os.path.exists(out):
        r = subprocess.run(["node", os.path.join(HERE, "embed-items.mjs"), onnx, items_path, out, data.AUDIO],
                           cwd=ROOT, capture_output=True, text=True)
        if r.returncode != 0:
            return {"error": r.stderr.strip()[-500:]}
    E = np.array(json.load(open(out))["embeddings"], dtype=np.float64)
    E = protocol.unit(E)
    spk = np.array([it["spk"] for it in items])
    dur = [it["dur"] for it in items]
    speakers = sorted(set(spk))
    accept = decision if callable(decision) else (lambda s, d: s >= decision)
    rng = np.random.default_rng(seed)
    accs = []
    for _ in range(draws):
        enrolled = set(rng.permutation(speakers)[: len(speakers) // 2])
        names, cents, probes = [], [], []
        for s in speakers:
            idx = np.where(spk == s)[0]
            if s in enrolled:
                order = rng.permutation(idx)
                names.append(s)
                cents.append(protocol.unit(E[order[:enroll]].mean(axis=0, keepdims=True))[0])
                probes += [(i, s) for i in order[enroll:]]
            else:
                probes += [(i, None) for i in idx]
        C = np.array(cents)
        right = 0
        for i, true in probes:
            sc = C @ E[i]
            k = int(np.argmax(sc))
            right += (names[k] if accept(float(sc[k]), dur[i]) else None) == true
        accs.append(right / len(probes))
    return {"acc": float(np.mean(accs)), "draws": draws, "probes_per_draw": len(probes),
            "speakers_enrolled": len(speakers) // 2, "recordings_enrolled": enroll}


def pct(x):
    return "—" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{100 * x:.2f} %"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", action="append", required=True, help="label=path.onnx[@threshold]")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--cache", default=os.path.join(ROOT, "build", "val"))
    ap.add_argument("--no-test-other", action="store_true")
    ap.add_argument("--out")
    args = ap.parse_args()
    os.makedirs(args.cache, exist_ok=True)
    proto_path = protocol.protocol_path(args.seed)
    proto = protocol.ensure_protocol(args.seed)
    results = {}
    for spec in args.model:
        label, rest = spec.split("=", 1)
        path, _, thr = rest.partition("@")
        digest = sha256(path)
        entry = manifest_entry(digest)
        given_cal = thr.endswith(".json")
        threshold = float(thr) if thr and not given_cal else (entry or {}).get("threshold")
        if threshold is None:
            sys.exit(f"validate: {path}: no threshold (not in the manifest); give label=path@threshold")
        cal = json.load(open(thr)) if given_cal else None if thr else (entry or {}).get("calibration")
        if cal and cal.get("kind") == "logistic-duration":
            decision, described = duration_decision(cal), f"confidence >= {cal['confidence_at_threshold']} (duration-aware)"
        else:
            decision, described = threshold, f"{threshold:.4f}"
        E, d = library_embeddings(path, proto_path, args.cache)
        m = protocol.measures(E, proto, decision)
        m["threshold"], m["decision"] = threshold, described
        m["onnx"], m["sha256"], m["bytes"] = path, digest, os.path.getsize(path)
        m["embed_seconds"] = d.get("seconds")
        m["refused_items"] = d.get("refused", [])
        if not args.no_test_other:
            m["test_other"] = test_other(path, args.cache)
            m["test_other_open_set"] = test_other_open_set(path, args.cache, decision)
            m["test_other_open_set_enroll1"] = test_other_open_set(path, args.cache, decision, enroll=1)
        results[label] = m
    labels = list(results)
    rows = [
        ("same-corpus EER, speechocean762 (so:, sentences, one session per speaker)", "eer_so", pct),
        ("same-corpus EER, WUW-II (wuw:, telephone sentences)", "eer_wuw", pct),
        ("same-corpus EER, LibriSpeech (ls:, 3 s segments of one utterance)", "eer_ls", pct),
        ("same-corpus EER, mean of the three", "eer_same_corpus_mean", pct),
        ("1 s words EER (sc:, Speech Commands)", "eer_words_sc", pct),
        ("telephone keywords EER (wuw:, 001-005)", "eer_words_wuw", pct),
        (">= 3 s speech EER (all corpora pooled, cross-corpus impostors included)", "eer_long", pct),
        ("centroid-trial EER (probe vs enrolled-3 centroid, so/wuw/ls galleries)", "centroid_eer", pct),
    ]
    lines = ["| measure | " + " | ".join(labels) + " |", "|---" * (len(labels) + 1) + "|"]
    for name, key, f in rows:
        lines.append(f"| {name} | " + " | ".join(f(results[k][key]) for k in labels) + " |")
    lines.append("| default decision (raw cosine threshold, or calibrated confidence) | " + " | ".join(
        results[k]["decision"] for k in labels) + " |")
    lines.append("| **open-set identification accuracy at the default decision**, so+wuw+ls galleries pooled | " +
                 " | ".join(pct(results[k]["open_speech_acc"]) for k in labels) + " |")
    for g, name in [("so", "speechocean762"), ("wuw", "WUW-II"), ("ls", "LibriSpeech"), ("sc", "Speech Commands 1 s")]:
        lines.append(f"| open-set accuracy, {name} gallery (enrolled right / unknown rejected) | " + " | ".join(
            f"{pct(results[k][f'open_{g}']['acc'])} ({pct(results[k][f'open_{g}']['acc_enrolled'])} / "
            f"{pct(results[k][f'open_{g}']['acc_unknown'])})" for k in labels) + " |")
    lines.append("| best achievable open-set accuracy (so+wuw+ls) and its threshold | " + " | ".join(
        f"{pct(results[k]['best_open_set_acc'])} at {results[k]['best_open_set_threshold']:.3f}" for k in labels) + " |")
    lines.append("| centroid-trial EER point (raw cosine) | " + " | ".join(
        f"{results[k]['centroid_eer_threshold']:.4f}" for k in labels) + " |")
    if not args.no_test_other:
        def to(k):
            t = results[k]["test_other"]
            return "error" if "error" in t else f"{pct(t.get('eer'))}"
        lines.append("| librispeech_test-other EER (`speaker-id eval`) | " + " | ".join(to(k) for k in labels) + " |")

        def to_open(k, key):
            t = results[k][key]
            return "error" if "error" in t else pct(t["acc"])
        for key, n in (("test_other_open_set", 3), ("test_other_open_set_enroll1", 1)):
            lines.append(f"| test-other open-set accuracy at the default decision (5 of 10 speakers enrolled with {n} "
                         "recording(s); mean of 300 seeded draws) | " + " | ".join(to_open(k, key) for k in labels) + " |")
    lines.append("| items refused by the library's quality checks | " + " | ".join(
        str(results[k]["refused"]) for k in labels) + " |")
    n = results[labels[0]]
    lines.append("")
    lines.append(f"Trials (first model): so {n['tgt_so']}/{n['non_so']}, wuw {n['tgt_wuw']}/{n['non_wuw']}, "
                 f"ls {n['tgt_ls']}/{n['non_ls']}, sc words {n['tgt_words_sc']}/{n['non_words_sc']}, wuw keywords "
                 f"{n['tgt_words_wuw']}/{n['non_words_wuw']}, >= 3 s {n['tgt_long']}/{n['non_long']} (target/non-target "
                 f"pairs); open-set probes (enrolled/unknown): " + ", ".join(
                     f"{g} {n[f'open_{g}']['n_enrolled']}/{n[f'open_{g}']['n_unknown']} "
                     f"({n[f'open_{g}']['speakers']} enrolled speakers)" for g in ("so", "wuw", "ls", "sc")))
    print("\n".join(lines))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1, default=float)


if __name__ == "__main__":
    main()
