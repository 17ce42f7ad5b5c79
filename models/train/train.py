"""Trains the project's compact speaker encoder (small ECAPA-TDNN, AAM-softmax) on the CC BY speech of
../shared/audio and exports it to ONNX with models/export.py.

  /usr/bin/python3 models/train/train.py --out build/models/compact-v2 [--steps N] [--resume]

Writes to --out: embedding_model.ckpt (state_dict of the embedding model, best validation figure),
hyperparams.yaml (spkrec-ecapa layout), compact-ecapa.onnx, train_summary.json, train_log.jsonl, and the resumable
state last.pt (model, head, optimiser, all RNG states, history; every --ckpt-every steps). --resume continues from
last.pt with the same arguments (the run is then identical to an uninterrupted one, up to the order of floating point
operations). Seeded end to end (python/numpy/torch seeds, one numpy Generator for data order and augmentation);
CPU, 2 threads. Validation = protocol.py (held-out training-corpus speakers). Never touches librispeech_test-other.
"""
import argparse
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
import protocol  # noqa: E402
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


@torch.no_grad()
def validate(model, fbank, proto, waves):
    """protocol.measures of the model's embeddings of the validation items (PyTorch features = the C++ front-end)."""
    model.eval()
    embs = []
    for x in waves:
        embs.append(model(fbank(torch.from_numpy(x)[None]))[0, 0].numpy())
    model.train()
    return protocol.measures(np.stack(embs), proto)


def lr_at(step, total, base, warmup_frac=0.05, final=0.02):
    w = max(1, int(total * warmup_frac))
    if step < w:
        return base * (step + 1) / w
    p = (step - w) / max(1, total - w)
    return base * (final + (1 - final) * 0.5 * (1 + math.cos(math.pi * p)))


def sha256_file(path):
    import hashlib

    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def weights_from_onnx(path, model):
    """state_dict of `model` filled from the ONNX initializers of the same names (models/export.py keeps the
    PyTorch parameter names; BatchNorm counters are not exported and are set to 0). Every float tensor must be there."""
    import onnx
    from onnx import numpy_helper

    inits = {i.name: numpy_helper.to_array(i) for i in onnx.load(path).graph.initializer}
    sd = model.state_dict()
    out = {}
    for k, v in sd.items():
        if k.endswith("num_batches_tracked"):
            out[k] = torch.zeros_like(v)
            continue
        if k not in inits or tuple(inits[k].shape) != tuple(v.shape):
            raise SystemExit(f"train: --init-onnx: {path} has no tensor {k} of shape {tuple(v.shape)}")
        out[k] = torch.from_numpy(inits[k].copy()).to(v.dtype)
    return out


def rng_state(rng):
    return {"numpy_gen": rng.bit_generator.state, "numpy_global": np.random.get_state(), "python": random.getstate(),
            "torch": torch.get_rng_state()}


def set_rng_state(rng, st):
    rng.bit_generator.state = st["numpy_gen"]
    np.random.set_state(st["numpy_global"])
    random.setstate(st["python"])
    torch.set_rng_state(st["torch"])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--val-every", type=int, default=400, help="steps per validation (selection) and logged 'epoch'")
    ap.add_argument("--ckpt-every", type=int, default=200, help="steps per resumable checkpoint (last.pt)")
    ap.add_argument("--channels", default="192,192,192,192,576")
    ap.add_argument("--attention", type=int, default=64)
    ap.add_argument("--lin", type=int, default=192)
    ap.add_argument("--lr", type=float, default=1.5e-3)
    ap.add_argument("--margin", type=float, default=0.25)
    ap.add_argument("--margin-ramp", type=float, default=0.2, help="fraction of the steps over which m ramps from 0")
    ap.add_argument("--scale", type=float, default=30.0)
    ap.add_argument("--min-crop", type=float, default=1.0)
    ap.add_argument("--max-crop", type=float, default=3.0)
    ap.add_argument("--val-fraction", type=float, default=0.1)
    ap.add_argument("--max-minutes", type=float, default=0, help="wall-clock safety stop for the training loop (0: none)")
    ap.add_argument("--stop-at", type=int, default=0, help="stop after this step as --max-minutes would (validate, "
                    "checkpoint, export) with the schedule of --steps: reproduces a run that the safety stop ended")
    ap.add_argument("--resume", action="store_true", help="continue from --out/last.pt")
    ap.add_argument("--init-onnx", help="warm start: the embedding model's weights from an ECAPA ONNX exported by "
                    "models/export.py with the same --channels/--attention/--lin (e.g. the first compact-ecapa)")
    ap.add_argument("--warmup", type=float, default=0.05, help="fraction of the steps of linear lr warm-up")
    ap.add_argument("--threads", type=int, default=2, help="torch CPU threads (1 is faster on a contended machine)")
    ap.add_argument("--no-export", action="store_true")
    args = ap.parse_args()

    t_start = time.time()
    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    os.makedirs(args.out, exist_ok=True)
    log_path = os.path.join(args.out, "train_log.jsonl")
    last_path = os.path.join(args.out, "last.pt")
    if args.resume and not os.path.exists(last_path):
        sys.exit(f"train: --resume: {last_path} does not exist")
    logf = open(log_path, "a" if args.resume else "w")

    def log(obj):
        obj["elapsed_s"] = round(time.time() - t_start, 1)
        line = json.dumps(obj)
        print(line, flush=True)
        logf.write(line + "\n")
        logf.flush()

    # ---- data
    speakers = data.list_speakers()
    train_ids, val_ids = data.split_speakers(speakers, args.val_fraction, args.seed)
    proto = protocol.ensure_protocol(args.seed)
    if sorted(proto["val_speakers"]) != val_ids:
        sys.exit("train: the validation protocol file lists other speakers than data.split_speakers (stale file?)")
    train_audio = data.load_all(speakers, train_ids)
    val_waves = [protocol.load_item(it) for it in proto["items"]]
    label = {s: i for i, s in enumerate(train_ids)}
    babble = [u for s in train_ids for u in train_audio[s] if len(u) >= SR]
    aug = augment.Augmenter(babble_pool=babble)

    def count(ids, audio):
        out = {}
        for s in ids:
            p = s.split(":")[0]
            d = out.setdefault(p, {"speakers": 0, "utterances": 0, "seconds": 0.0})
            d["speakers"] += 1
            d["utterances"] += len(audio[s])
            d["seconds"] += sum(len(u) for u in audio[s]) / SR
        return {k: {**v, "seconds": round(v["seconds"], 1)} for k, v in out.items()}

    val_count = {}
    for it in proto["items"]:
        d = val_count.setdefault(it["corpus"], {"speakers": set(), "items": 0, "seconds": 0.0})
        d["speakers"].add(it["spk"])
        d["items"] += 1
        d["seconds"] += it["dur"]
    val_count = {k: {"speakers": len(v["speakers"]), "items": v["items"], "seconds": round(v["seconds"], 1)}
                 for k, v in val_count.items()}
    counts = {"train": count(train_ids, train_audio), "val": val_count, "val_items": len(proto["items"]),
              "train_classes": len(train_ids)}
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
    ckpt = os.path.join(args.out, "embedding_model.ckpt")

    best = {"eer": 2.0, "step": -1, "val": None}
    history = []
    start_step = 0
    if args.resume:
        st = torch.load(last_path)
        model.load_state_dict(st["model"])
        head.load_state_dict(st["head"])
        opt.load_state_dict(st["opt"])
        set_rng_state(rng, st["rng"])
        best, history, start_step = st["best"], st["history"], st["step"]
        log({"event": "resume", "step": start_step, "best_step": best["step"]})
    else:
        init = None
        if args.init_onnx:
            sd = weights_from_onnx(args.init_onnx, model)
            model.load_state_dict(sd)
            init = {"onnx": args.init_onnx, "sha256": sha256_file(args.init_onnx)}
        log({"event": "model", "config": cfg, "params": n_params, "classes": len(train_ids), "init": init})

    def save_last(step_done):
        tmp = last_path + ".tmp"
        torch.save({"model": model.state_dict(), "head": head.state_dict(), "opt": opt.state_dict(),
                    "rng": rng_state(rng), "best": best, "history": history, "step": step_done,
                    "args": vars(args)}, tmp)
        os.replace(tmp, last_path)

    run_loss = run_acc = 0.0
    run_n = 0
    t_loop = time.time()
    stopped_early = False
    step = start_step - 1
    for step in range(start_step, args.steps):
        crop = int(SR * rng.uniform(args.min_crop, args.max_crop))
        spk_batch = rng.choice(len(train_ids), size=args.batch, replace=False)
        wav = np.stack([aug(source(train_ids[i]), crop, rng) for i in spk_batch])
        labels = torch.from_numpy(spk_batch.astype(np.int64))
        feats = fbank(torch.from_numpy(wav))
        margin = args.margin * min(1.0, step / max(1, args.margin_ramp * args.steps))
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args.steps, args.lr, warmup_frac=args.warmup)
        emb = model(feats)[:, 0]
        loss, acc = head(emb, labels, margin)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 5.0)
        opt.step()
        run_loss += float(loss)
        run_acc += float(acc)
        run_n += 1
        if (step + 1) % 50 == 0:
            log({"event": "progress", "step": step + 1, "loss": round(run_loss / run_n, 4),
                 "steps_per_s": round(run_n / (time.time() - t_loop), 3)})
        last = step + 1 == args.steps
        over = (args.max_minutes and (time.time() - t_start) > args.max_minutes * 60) or \
            (args.stop_at and step + 1 >= args.stop_at)
        if (step + 1) % args.val_every == 0 or last or over:
            t_val = time.time()
            v = validate(model, fbank, proto, val_waves)
            rec = {"event": "epoch", "step": step + 1, "loss": round(run_loss / run_n, 4),
                   "train_acc": round(run_acc / run_n, 4), "lr": opt.param_groups[0]["lr"], "margin": margin,
                   "steps_per_s": round(run_n / (t_val - t_loop), 3), "val_s": round(time.time() - t_val, 1),
                   **{k: (round(x, 4) if isinstance(x, float) else x) for k, x in v.items()}}
            history.append(rec)
            if v["val_eer"] <= best["eer"]:
                best = {"eer": v["val_eer"], "step": step + 1, "val": v}
                torch.save(model.state_dict(), ckpt)
                rec["best"] = True
            log(rec)
            run_loss = run_acc = 0.0
            run_n = 0
            t_loop = time.time()
        if (step + 1) % args.ckpt_every == 0 or last or over:
            save_last(step + 1)
            log({"event": "checkpoint", "step": step + 1})
        if over and not last:
            stopped_early = True
            log({"event": "stop", "reason": f"--stop-at {args.stop_at}" if args.stop_at and step + 1 >= args.stop_at
                 else f"--max-minutes {args.max_minutes} reached", "step": step + 1,
                 "resume": "run the same command with --resume"})
            break
    train_s = time.time() - t_start

    hp = os.path.join(args.out, "hyperparams.yaml")
    with open(hp, "w") as f:
        f.write(HPARAMS.format(channels=", ".join(map(str, channels)), attention=args.attention, lin=args.lin))
    onnx_path = os.path.join(args.out, "compact-ecapa.onnx")
    export = None
    if not args.no_export and os.path.exists(ckpt):
        r = subprocess.run([sys.executable, os.path.join(MODELS, "export.py"), "ecapa", "--weights", ckpt,
                            "--hparams", hp, "--out", onnx_path], capture_output=True, text=True)
        export = (r.stdout + r.stderr).strip()
        log({"event": "export", "rc": r.returncode, "output": export})
        if r.returncode != 0:
            sys.exit(f"train: export failed: {export}")
    summary = {
        "seed": args.seed, "args": vars(args), "config": cfg, "params": n_params,
        "data": counts, "val_speakers": val_ids, "val_protocol": protocol.__doc__.strip(),
        "selection": "val_eer = mean of the same-corpus EERs (so, wuw, ls speech) and the 1 s word EER (sc)",
        "best": {"step": best["step"], "val_eer": best["eer"], "val": best["val"]},
        "steps_done": step + 1, "stopped_early": stopped_early, "history": history,
        "train_wall_s_this_process": round(train_s, 1), "total_wall_s_this_process": round(time.time() - t_start, 1),
        "torch": torch.__version__, "threads": torch.get_num_threads(),
        "onnx": {"path": onnx_path, "bytes": os.path.getsize(onnx_path)} if export is not None else None,
        "export": export,
    }
    with open(os.path.join(args.out, "train_summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    log({"event": "done", "best_step": best["step"], "val_eer": round(best["eer"], 4),
         "wall_s": summary["total_wall_s_this_process"]})


if __name__ == "__main__":
    main()
