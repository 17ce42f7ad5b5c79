"""Trains the project's compact speaker encoder (small ECAPA-TDNN, AAM-softmax) on the CC BY speech of
../shared/audio and exports it to ONNX with models/export.py.

  /usr/bin/python3 models/train/train.py --out build/models/compact

Writes to --out: embedding_model.ckpt (state_dict of the embedding model, best validation EER),
hyperparams.yaml (spkrec-ecapa layout), compact-ecapa.onnx, train_summary.json, train_log.jsonl.
Seeded end to end (python/numpy/torch seeds, deterministic data order); CPU, 2 threads.
Never touches librispeech_test-other (the evaluation set).
"""
import argparse
import copy
import json
import math
import os
import random
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, MODELS)
import augment  # noqa: E402
import data  # noqa: E402
from features import Fbank  # noqa: E402
from nets.ecapa_tdnn import ECAPA_TDNN  # noqa: E402

SR = 16000
HPARAMS = """# ############################################################################
# Model: speaker-id compact ECAPA-TDNN (trained by models/train/train.py on CC BY speech; see models/train/README.md)
# Same layout as speechbrain/spkrec-ecapa-voxceleb hyperparams.yaml; only the
# embedding_model channels / attention_channels differ. No classifier is shipped.
# ############################################################################

# Feature parameters
n_mels: 80

# Model params
compute_features: !new:speechbrain.lobes.features.Fbank
    n_mels: !ref <n_mels>

mean_var_norm: !new:speechbrain.processing.features.InputNormalization
    norm_type: sentence
    std_norm: False

embedding_model: !new:speechbrain.lobes.models.ECAPA_TDNN.ECAPA_TDNN
    input_size: !ref <n_mels>
    channels: [{channels}]
    kernel_sizes: [5, 3, 3, 3, 1]
    dilations: [1, 2, 3, 4, 1]
    attention_channels: {attention}
    lin_neurons: {lin}

modules:
    compute_features: !ref <compute_features>
    mean_var_norm: !ref <mean_var_norm>
    embedding_model: !ref <embedding_model>
"""


class AAMSoftmax(torch.nn.Module):
    """Additive angular margin softmax: s * cos(theta_y + m) for the target class, s * cos(theta_j) otherwise."""

    def __init__(self, dim, n_classes, margin=0.2, scale=30.0):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(n_classes, dim) * 0.01)
        self.margin, self.scale = margin, scale

    def forward(self, emb, labels, margin=None):
        m = self.margin if margin is None else margin
        cos = F.linear(F.normalize(emb), F.normalize(self.weight)).clamp(-1 + 1e-7, 1 - 1e-7)
        sin = torch.sqrt(1.0 - cos * cos)
        phi = cos * math.cos(m) - sin * math.sin(m)
        # keep monotonic past pi - m (as in common AAM implementations)
        phi = torch.where(cos > math.cos(math.pi - m), phi, cos - math.sin(math.pi - m) * m)
        onehot = F.one_hot(labels, cos.shape[1]).to(cos.dtype)
        logits = self.scale * (onehot * phi + (1 - onehot) * cos)
        return F.cross_entropy(logits, labels), (cos.argmax(1) == labels).float().mean()


def eer(scores, labels):
    """Equal error rate of target(1)/non-target(0) scores."""
    order = np.argsort(-scores, kind="stable")
    lab = labels[order]
    tp = np.cumsum(lab)
    fp = np.cumsum(1 - lab)
    frr = 1 - tp / max(lab.sum(), 1)
    far = fp / max((1 - lab).sum(), 1)
    i = int(np.argmin(np.abs(frr - far)))
    return float((frr[i] + far[i]) / 2)


def build_val(val_audio, seg_s=3.0, max_ls_segs=4):
    """Validation segments: LibriSpeech speakers' single long utterance cut into non-overlapping 3 s pieces
    (up to 4); Speech Commands speakers' 1 s utterances as they are."""
    segs = []
    n = int(seg_s * SR)
    for spk, utts in sorted(val_audio.items()):
        if spk.startswith("ls:"):
            x = utts[0]
            for k in range(min(max_ls_segs, len(x) // n)):
                segs.append((spk, x[k * n:(k + 1) * n]))
        else:
            segs += [(spk, u) for u in utts]
    return segs


@torch.no_grad()
def validate(model, fbank, segs):
    model.eval()
    embs = []
    for _, x in segs:
        e = model(fbank(torch.from_numpy(x)[None]))[0, 0]
        embs.append(F.normalize(e, dim=0))
    model.train()
    e = torch.stack(embs).numpy()
    spk = [s for s, _ in segs]
    sims = e @ e.T
    iu = np.triu_indices(len(segs), 1)
    same = np.array([spk[i] == spk[j] for i, j in zip(*iu)], dtype=np.int64)
    dset = np.array([spk[i][:3] if spk[i][:3] == spk[j][:3] else "x" for i, j in zip(*iu)])
    sc = sims[iu]
    out = {"pooled": eer(sc, same)}
    for p in ("ls:", "sc:"):
        k = dset == p
        out[p[:-1]] = eer(sc[k], same[k])
    out["mean"] = (out["ls"] + out["sc"]) / 2
    out["trials"] = {"target": int(same.sum()), "nontarget": int((1 - same).sum())}
    return out


def lr_at(step, total, base, warmup_frac=0.05, final=0.02):
    w = max(1, int(total * warmup_frac))
    if step < w:
        return base * (step + 1) / w
    p = (step - w) / max(1, total - w)
    return base * (final + (1 - final) * 0.5 * (1 + math.cos(math.pi * p)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--steps", type=int, default=2500)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--val-every", type=int, default=250, help="steps per logged 'epoch' (validation, checkpoint)")
    ap.add_argument("--channels", default="192,192,192,192,576")
    ap.add_argument("--attention", type=int, default=64)
    ap.add_argument("--lin", type=int, default=192)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--margin", type=float, default=0.2)
    ap.add_argument("--scale", type=float, default=30.0)
    ap.add_argument("--min-crop", type=float, default=1.0)
    ap.add_argument("--max-crop", type=float, default=3.0)
    ap.add_argument("--val-fraction", type=float, default=0.1)
    ap.add_argument("--max-minutes", type=float, default=0, help="wall-clock safety stop for the training loop (0: none)")
    ap.add_argument("--no-export", action="store_true")
    args = ap.parse_args()

    t_start = time.time()
    torch.set_num_threads(2)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    os.makedirs(args.out, exist_ok=True)
    log_path = os.path.join(args.out, "train_log.jsonl")
    logf = open(log_path, "w")

    def log(obj):
        obj["elapsed_s"] = round(time.time() - t_start, 1)
        line = json.dumps(obj)
        print(line, flush=True)
        logf.write(line + "\n")
        logf.flush()

    # ---- data
    speakers = data.list_speakers()
    train_ids, val_ids = data.split_speakers(speakers, args.val_fraction, args.seed)
    train_audio = data.load_all(speakers, train_ids)
    val_audio = data.load_all(speakers, val_ids)
    label = {s: i for i, s in enumerate(train_ids)}
    babble = [u for s in train_ids for u in train_audio[s] if len(u) >= SR]
    aug = augment.Augmenter(babble_pool=babble)
    val_segs = build_val(val_audio)

    def count(ids, audio):
        out = {}
        for s in ids:
            p = s.split(":")[0]
            d = out.setdefault(p, {"speakers": 0, "utterances": 0, "seconds": 0.0})
            d["speakers"] += 1
            d["utterances"] += len(audio[s])
            d["seconds"] += sum(len(u) for u in audio[s]) / SR
        return {k: {**v, "seconds": round(v["seconds"], 1)} for k, v in out.items()}

    counts = {"train": count(train_ids, train_audio), "val": count(val_ids, val_audio),
              "val_segments": len(val_segs), "train_classes": len(train_ids)}
    log({"event": "data", **counts, "load_s": round(time.time() - t_start, 1)})

    def source(spk):
        """A long-enough waveform of one speaker: its utterances in random order, concatenated."""
        utts = train_audio[spk]
        if len(utts) == 1:
            return utts[0]
        order = rng.permutation(len(utts))
        return np.concatenate([utts[i] for i in order])

    # ---- model
    channels = [int(c) for c in args.channels.split(",")]
    cfg = dict(input_size=80, channels=channels, kernel_sizes=[5, 3, 3, 3, 1], dilations=[1, 2, 3, 4, 1],
               attention_channels=args.attention, lin_neurons=args.lin)
    model = ECAPA_TDNN(**cfg)
    head = AAMSoftmax(args.lin, len(train_ids), args.margin, args.scale)
    fbank = Fbank()
    params = list(model.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=args.lr, weight_decay=2e-5)
    n_params = sum(p.numel() for p in model.parameters())
    log({"event": "model", "config": cfg, "params": n_params, "classes": len(train_ids)})

    best = {"eer": 2.0, "step": -1, "val": None}
    best_state = None
    history = []
    run_loss = run_acc = 0.0
    run_n = 0
    t_loop = time.time()
    stopped_early = False
    step = 0
    for step in range(args.steps):
        crop = int(SR * rng.uniform(args.min_crop, args.max_crop))
        spk_batch = rng.choice(len(train_ids), size=args.batch, replace=False)
        wav = np.stack([aug(source(train_ids[i]), crop, rng) for i in spk_batch])
        labels = torch.from_numpy(spk_batch.astype(np.int64))
        feats = fbank(torch.from_numpy(wav))
        margin = args.margin * min(1.0, step / max(1, 0.2 * args.steps))  # margin ramp over the first 20 %
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args.steps, args.lr)
        emb = model(feats)[:, 0]
        loss, acc = head(emb, labels, margin)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 5.0)
        opt.step()
        run_loss += float(loss)
        run_acc += float(acc)
        run_n += 1
        last = step + 1 == args.steps
        over = args.max_minutes and (time.time() - t_start) > args.max_minutes * 60
        if (step + 1) % args.val_every == 0 or last or over:
            v = validate(model, fbank, val_segs)
            rec = {"event": "epoch", "step": step + 1, "loss": round(run_loss / run_n, 4),
                   "train_acc": round(run_acc / run_n, 4), "lr": opt.param_groups[0]["lr"], "margin": margin,
                   "val_eer": round(v["mean"], 4), "val_eer_ls": round(v["ls"], 4), "val_eer_sc": round(v["sc"], 4),
                   "val_eer_pooled": round(v["pooled"], 4),
                   "steps_per_s": round(run_n / (time.time() - t_loop), 3)}
            history.append(rec)
            if v["mean"] <= best["eer"]:
                best = {"eer": v["mean"], "step": step + 1, "val": v}
                best_state = copy.deepcopy(model.state_dict())
                torch.save(best_state, os.path.join(args.out, "embedding_model.ckpt"))
                rec["best"] = True
            log(rec)
            run_loss = run_acc = 0.0
            run_n = 0
            t_loop = time.time()
            if over and not last:
                stopped_early = True
                log({"event": "stop", "reason": f"--max-minutes {args.max_minutes} reached", "step": step + 1})
                break
    train_s = time.time() - t_start

    ckpt = os.path.join(args.out, "embedding_model.ckpt")
    hp = os.path.join(args.out, "hyperparams.yaml")
    with open(hp, "w") as f:
        f.write(HPARAMS.format(channels=", ".join(map(str, channels)), attention=args.attention, lin=args.lin))
    onnx_path = os.path.join(args.out, "compact-ecapa.onnx")
    export = None
    if not args.no_export:
        r = subprocess.run([sys.executable, os.path.join(MODELS, "export.py"), "ecapa", "--weights", ckpt,
                            "--hparams", hp, "--out", onnx_path], capture_output=True, text=True)
        export = (r.stdout + r.stderr).strip()
        log({"event": "export", "rc": r.returncode, "output": export})
        if r.returncode != 0:
            sys.exit(f"train: export failed: {export}")
    summary = {
        "seed": args.seed, "args": vars(args), "config": cfg, "params": n_params,
        "data": counts, "val_speakers": val_ids,
        "val_protocol": "held-out speakers; LibriSpeech: up to 4 non-overlapping 3 s segments of the speaker's one "
                        "utterance; Speech Commands: 1 s utterances; all pairs, cosine; val_eer = mean of the "
                        "within-LibriSpeech and within-Speech-Commands EERs (selection criterion)",
        "best": {"step": best["step"], "val_eer": best["eer"], "val_eer_ls": best["val"]["ls"],
                 "val_eer_sc": best["val"]["sc"], "val_eer_pooled": best["val"]["pooled"],
                 "trials": best["val"]["trials"]},
        "steps_done": step + 1, "stopped_early": stopped_early, "history": history,
        "train_wall_s": round(train_s, 1), "total_wall_s": round(time.time() - t_start, 1),
        "torch": torch.__version__, "threads": torch.get_num_threads(),
        "onnx": {"path": onnx_path, "bytes": os.path.getsize(onnx_path)} if export is not None else None,
        "export": export,
    }
    with open(os.path.join(args.out, "train_summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    log({"event": "done", "best_step": best["step"], "val_eer": round(best["eer"], 4),
         "wall_s": summary["total_wall_s"]})


if __name__ == "__main__":
    main()
