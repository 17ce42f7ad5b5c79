"""Default threshold and calibrated confidence of an encoder, fitted on the held-out *training-corpus* speakers of
protocol.py (never on librispeech_test-other), from the embeddings the library itself computes for the ONNX
(validate.py's cache; node models/train/embed-items.mjs).

  /usr/bin/python3 models/train/calibrate.py --onnx models/compact/compact-ecapa.onnx [--register compact-ecapa]

Trials: the centroid trials of protocol.py (every open-set probe against every enrolled centroid of its gallery),
i.e. the scores identify/verify compare with the threshold.
Threshold rule (--rule): "centroid-eer" (default) = the raw cosine where false accepts and false rejects of the
same-corpus speech galleries' centroid trials (so, wuw, ls: impostors recorded like the speaker) are equal;
"open-set" = the threshold of the best pooled open-set accuracy of those galleries.
Confidence: logistic P(same speaker) = 1 / (1 + exp(-(a * cosine + b))), fitted by weighted maximum likelihood
with the two classes weighted equally (a prior of 0.5) on the centroid trials of all four galleries (so, wuw, ls
and the 1 s sc words). A duration-aware variant (+ c * L + e * cosine * L, L = ln(clamp(d, lo, hi) / 3 s), d = probe
seconds, [lo, hi] = the 1st-90th percentile of the trials' probe durations, beyond which the fit has little data and
extrapolates) is fitted and measured too (printed as "duration"; "kept" = it improves the 1 s and the pooled
open-set figures). --duration-aware registers it (kind "logistic-duration": decisions at the plain map's confidence
at the threshold, turned into a raw cosine per probe duration: web/src/calibration.mjs) where it is kept, instead of
the plain map; --write-duration FILE writes it as registered, kept or not, for validate.py (label=path@FILE).
--register ID writes threshold, threshold_source and calibration into that manifest entry (repeatable: the int8
default takes the fit of its fp32 model, and its threshold_source says which file was fitted). Prints JSON.
"""
import argparse
import hashlib
import json
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import protocol  # noqa: E402
from validate import library_embeddings  # noqa: E402

ALL = ("so", "wuw", "ls", "sc")


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def cross_validated_duration(E, proto, threshold, p_thr, seeds=5):
    """The duration-aware map's open-set figures out of sample: 2-fold by probe speaker (crc32 of seed:speaker), the
    map fitted on one fold's centroid trials decides the other fold's probes; mean (and range) over seeds."""
    import zlib
    items = proto["items"]
    z_accept = np.log(p_thr / (1 - p_thr))
    rows = []  # (gallery, probe speaker, probe seconds, scores vs the gallery's centroids, labels, best name, truth)
    for g in ALL:
        names, C, probes = protocol.gallery(E, proto, g)
        for i, true in probes:
            sc = C @ E[i]
            rows.append((g, items[i]["spk"], items[i]["dur"], sc, [int(n == true) for n in names],
                         names[int(np.argmax(sc))], true))
    speech, words = [], []
    for seed in range(seeds):
        fold = {r[1]: zlib.crc32(f"{seed}:{r[1]}".encode()) % 2 for r in rows}
        right = {"speech": [0, 0], "sc": [0, 0]}
        for k in (0, 1):
            fit = [r for r in rows if fold[r[1]] != k]
            S = np.concatenate([r[3] for r in fit])
            L = np.concatenate([r[4] for r in fit])
            D = np.concatenate([[r[2]] * len(r[3]) for r in fit])
            lo, hi = np.percentile(D, [1, 90])
            ld = np.log(np.clip(D, lo, hi) / 3.0)
            w = protocol.fit_logistic(np.stack([S, ld, S * ld], axis=1), L)
            for g, spk, d, sc, _, best, true in (r for r in rows if fold[r[1]] == k):
                s, l = float(sc.max()), np.log(min(hi, max(lo, d)) / 3.0)
                pred = best if w[0] * s + w[1] * l + w[2] * s * l + w[3] >= z_accept else None
                key = "sc" if g == "sc" else "speech"
                right[key][0] += pred == true
                right[key][1] += 1
        speech.append(right["speech"][0] / right["speech"][1])
        words.append(right["sc"][0] / right["sc"][1])
    return {"open_speech": round(float(np.mean(speech)), 4), "open_speech_range": [round(min(speech), 4),
            round(max(speech), 4)], "open_sc": round(float(np.mean(words)), 4), "folds": 2, "seeds": seeds}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--rule", choices=["centroid-eer", "open-set"], default="centroid-eer")
    ap.add_argument("--cache", default=os.path.join(ROOT, "build", "val"))
    ap.add_argument("--register", metavar="ID", action="append", default=[],
                    help="write the result into this manifest entry; repeatable (the int8 default takes the fit of "
                         "its fp32 model: models/compact/README.md)")
    ap.add_argument("--duration-aware", action="store_true",
                    help="register the duration-aware map where it is kept (default: the plain logistic map)")
    ap.add_argument("--write-duration", metavar="FILE", help="write the duration-aware map (JSON) to FILE")
    args = ap.parse_args()
    os.makedirs(args.cache, exist_ok=True)
    proto = protocol.ensure_protocol(args.seed)
    E, _ = library_embeddings(args.onnx, protocol.protocol_path(args.seed), args.cache)
    ok = np.isfinite(E).all(axis=1)
    E[ok] = protocol.unit(E[ok])

    s, l, _, _ = protocol.centroid_trials(E, proto, protocol.SPEECH_GALLERIES)
    eer, t_eer = protocol.eer_threshold(s, l)
    t_open, acc_open = protocol.best_open_set_threshold(E, proto, protocol.SPEECH_GALLERIES)
    threshold = round(t_eer if args.rule == "centroid-eer" else t_open, 4)

    S, L, D, G = protocol.centroid_trials(E, proto, ALL)
    lo, hi = (round(float(v), 3) for v in np.percentile(D, [1, 90]))
    log_d = lambda d: np.log(np.clip(d, lo, hi) / 3.0)
    ld = log_d(D)
    a, b = protocol.fit_logistic(S[:, None], L)
    wd = protocol.fit_logistic(np.stack([S, ld, S * ld], axis=1), L)
    # Rounded as registered, so that the figures are those of the map the library applies.
    wd = [round(float(w), 4) for w in wd]
    a, b = round(float(a), 4), round(float(b), 4)
    plain = lambda sc, d: 1 / (1 + np.exp(-(a * sc + b)))
    dur = lambda sc, d: 1 / (1 + np.exp(-(wd[0] * sc + wd[1] * log_d(d) + wd[2] * sc * log_d(d) + wd[3])))
    p_thr = float(plain(threshold, 3.0))

    def figures(conf, p_accept):
        """Decisions at confidence >= p_accept (the plain map's value at the threshold, so the plain map decides
        exactly like the raw threshold; as registered, rounded, for the duration-aware map); Cllr of the trials."""
        out = {}
        for g in ALL:
            r = protocol.open_set(E, proto, g, lambda sc, d: conf(sc, d) >= p_accept)
            out[f"open_{g}"] = round(r["acc"], 4)
        n = {g: (lambda r: r["n_enrolled"] + r["n_unknown"])(protocol.open_set(E, proto, g, 0.5))
             for g in protocol.SPEECH_GALLERIES}
        out["open_speech"] = round(sum(out[f"open_{g}"] * n[g] for g in n) / sum(n.values()), 4)
        P = np.array([conf(sc, d) for sc, d in zip(S, D)])
        out["cllr_all"] = round(protocol.cllr(P, L), 4)
        k = G == "sc"
        out["cllr_1s"] = round(protocol.cllr(P[k], L[k]), 4)
        out["cllr_speech"] = round(protocol.cllr(P[~k], L[~k]), 4)
        # pooled EER over mixed durations (a duration-aware map can change it; a 1 s-only EER it cannot)
        out["eer_all_trials"] = round(protocol.eer_threshold(P, L)[0], 4)
        return out

    f_plain, f_dur = figures(plain, p_thr), figures(dur, round(p_thr, 4))
    f_dur["cross_validated"] = cross_validated_duration(E, proto, threshold, p_thr)
    better = (f_dur["open_sc"] > f_plain["open_sc"] and f_dur["open_speech"] >= f_plain["open_speech"]) or \
             (f_dur["open_speech"] > f_plain["open_speech"] and f_dur["open_sc"] >= f_plain["open_sc"])
    report = {
        "onnx": args.onnx, "rule": args.rule, "threshold": threshold,
        "centroid_eer": round(eer, 4), "centroid_eer_threshold": round(t_eer, 4),
        "best_open_set_threshold": round(t_open, 4), "best_open_set_acc": round(acc_open, 4),
        "calibration": {"kind": "logistic", "a": a, "b": b},
        "confidence_at_threshold": round(p_thr, 4),
        "cosine_at_confidence_0.5": round(float(-b / a), 4),
        "duration": {"weights": wd, "duration_range": [lo, hi],
                     "form": "1/(1+exp(-(w0*cos + w1*L + w2*cos*L + w3))), L = ln(clamp(d, lo, hi)/3)",
                     "plain": f_plain, "duration_aware": f_dur, "kept": bool(better)},
        "trials": {"target": int(L.sum()), "nontarget": int((1 - L).sum()),
                   "speech_target": int(l.sum()), "speech_nontarget": int((1 - l).sum())},
    }
    if args.register:
        path = os.path.join(ROOT, "models", "manifest.json")
        m = json.load(open(path))
        entries = {x["id"]: x for x in m["models"]}
        missing = [i for i in args.register if i not in entries]
        if missing:
            sys.exit(f"calibrate: --register {missing[0]}: no such entry in {path}")
        fitted = sha256_file(args.onnx)
        for e in (entries[i] for i in args.register):
            e["threshold"] = threshold
            e["threshold_source"] = (
                ("threshold of the best pooled open-set identification accuracy (enroll 3, half the speakers never "
                 "enrolled)" if args.rule == "open-set" else "EER point of the centroid trials") +
                " of the speechocean762, WUW-II and LibriSpeech galleries of held-out training-corpus speakers "
                f"(models/train/protocol.py, models/train/calibrate.py --rule {args.rule}); never test-other. Their "
                f"centroid-trial EER point is {report['centroid_eer_threshold']}" +
                ("" if e.get("onnx_sha256") == fitted else
                 f"; fitted on {os.path.basename(args.onnx)} (sha256 {fitted[:16]}…)"))
            fitted_on = (f"{report['trials']['target']} target / {report['trials']['nontarget']} non-target "
                         "centroid trials (probe vs 3-recording enrolment) of held-out training-corpus speakers "
                         "(models/train/calibrate.py)")
            plain_spec = {
                "kind": "logistic", "a": a, "b": b,
                "confidence": "1 / (1 + exp(-(a * cosine + b)))", "meaning": "P(same speaker) at a prior of 0.5",
                "confidence_at_threshold": report["confidence_at_threshold"], "fitted_on": fitted_on}
            if better and args.duration_aware:
                e["calibration"] = {
                    "kind": "logistic-duration", "w": wd, "duration_range": [lo, hi],
                    "confidence": "1 / (1 + exp(-(w[0] * cosine + w[1] * L + w[2] * cosine * L + w[3]))), "
                                  "L = ln(clamp(d, duration_range) / 3), d = the probe's duration in seconds",
                    "meaning": "P(same speaker) at a prior of 0.5, given the probe's duration",
                    "confidence_at_threshold": report["confidence_at_threshold"],
                    "decision": "accept when confidence >= confidence_at_threshold (the plain map's confidence at "
                                "the threshold)",
                    "fitted_on": fitted_on, "plain": {k: plain_spec[k] for k in ("a", "b")}}
            else:
                e["calibration"] = plain_spec
        with open(path, "w") as f:
            json.dump(m, f, indent=2)
            f.write("\n")
    if args.write_duration:
        with open(args.write_duration, "w") as f:
            json.dump({"kind": "logistic-duration", "w": wd, "duration_range": [lo, hi],
                       "confidence_at_threshold": round(p_thr, 4), "fitted_on": os.path.basename(args.onnx)}, f, indent=1)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
