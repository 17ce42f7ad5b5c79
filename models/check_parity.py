"""PyTorch-level parity of the project's own networks (models/nets) with the upstream golden embeddings.

  /usr/bin/python3 models/check_parity.py [--shared ../shared] [--full-ckpt build/models/ecapa_full/embedding_model.ckpt]
                                          [--json report.json] [-v]

Runs each network on the golden *model inputs* (so the front-ends are not involved) and compares with the golden outputs:
  resemblyzer          mel.npy rows sliced by slices.npy ([P, 160, 40], one batch as embed_utterance does)
                       -> partial_embeds.npy (per partial) and embedding.npy = L2(mean(partials))
  ecapa_small          golden/checkpoints/ecapa_small/embedding_model.ckpt, fbank_norm.npy [1, T, 80] -> embedding_small.npy
  ecapa_full           README recipe on ecapa_full/keys.json (built in memory unless --full-ckpt), full upstream
                       hyperparams.yaml -> embedding_full.npy
  ecapa_small_recipe   README recipe on ecapa_small/keys.json -> embedding_small_recipe.npy
Files without the input arrays (dev12: final embeddings only; spk1688_extra_*) are skipped.
Metrics: 1 - cos (float64) and max|d| / max|e|. Targets (golden README): 1 - cos <= 1e-6 and max|d| / max|e| <= 1e-4.
Exit status 1 when a target is missed. torch.set_num_threads(2), as the goldens were computed.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import build_ecapa_full  # noqa: E402
from nets import ecapa_tdnn, resemblyzer  # noqa: E402

ROOT = os.path.dirname(HERE)
COS_TOL = 1e-6
REL_TOL = 1e-4


def compare(mine, gold):
    a, b = np.asarray(mine, np.float64).ravel(), np.asarray(gold, np.float64).ravel()
    if a.shape != b.shape:
        raise ValueError(f"shape {a.shape} != golden {b.shape}")
    cos = float(a @ b / np.sqrt((a @ a) * (b @ b)))
    return 1.0 - cos, float(np.abs(a - b).max() / np.abs(b).max())


def recipe_model(keys_path, hparams_text):
    """ECAPA-TDNN with the README recipe's weights (digest checked), loaded strictly."""
    meta = json.load(open(keys_path))
    state = build_ecapa_full.build(meta["keys"], meta.get("recipe_seed", 20261124))
    want = meta.get("sha256_of_concatenated_tensor_bytes_recipe") or meta.get("sha256_of_concatenated_tensor_bytes")
    got = build_ecapa_full.digest(state)
    if got != want:
        raise SystemExit(f"check_parity: recipe digest {got} != {want} ({keys_path})")
    model = ecapa_tdnn.ECAPA_TDNN(**ecapa_tdnn.config_from_hparams(hparams_text))
    model.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()}, strict=True)
    return model.eval()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=os.environ.get("SID_SHARED_DIR", os.path.join(ROOT, "..", "shared")))
    ap.add_argument("--full-ckpt", help="use this ecapa_full checkpoint (from build_ecapa_full.py) instead of "
                                        "building the recipe in memory")
    ap.add_argument("--only", choices=["resemblyzer", "ecapa_small", "ecapa_full", "ecapa_small_recipe"],
                    action="append", help="check only these (repeatable)")
    ap.add_argument("--json", help="write the per-file numbers here")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every file")
    args = ap.parse_args()
    torch.set_num_threads(2)

    golden = os.path.join(args.shared, "golden")
    ckpts = os.path.join(golden, "checkpoints")
    manifest = json.load(open(os.path.join(golden, "manifest.json")))
    small_hp = open(os.path.join(ckpts, "ecapa_small/hyperparams.yaml")).read()
    full_hp = open(os.path.join(args.shared, "models/speechbrain-spkrec-ecapa-voxceleb/hyperparams.yaml")).read()
    wanted = set(args.only or ["resemblyzer", "ecapa_small", "ecapa_full", "ecapa_small_recipe"])

    def arr(entry, pipeline, name):
        a = entry.get(pipeline, {}).get("arrays", {}).get(name)
        return np.load(os.path.join(golden, a["file"])) if a else None

    ecapa = {}
    if "ecapa_small" in wanted:
        ecapa["ecapa_small"] = (ecapa_tdnn.load(os.path.join(ckpts, "ecapa_small/embedding_model.ckpt"), small_hp)[0],
                                "embedding_small")
    if "ecapa_full" in wanted:
        if args.full_ckpt:
            model = ecapa_tdnn.load(args.full_ckpt, full_hp)[0]
        else:
            model = recipe_model(os.path.join(ckpts, "ecapa_full/keys.json"), full_hp)
        ecapa["ecapa_full"] = (model, "embedding_full")
    if "ecapa_small_recipe" in wanted:
        ecapa["ecapa_small_recipe"] = (recipe_model(os.path.join(ckpts, "ecapa_small/keys.json"), small_hp),
                                       "embedding_small_recipe")
    voice = resemblyzer.load(os.path.join(ckpts, "resemblyzer/pretrained.pt")) if "resemblyzer" in wanted else None

    rows = []  # (checkpoint, file id, what, 1-cos, rel)
    skipped = []
    with torch.no_grad():
        for entry in manifest["files"]:
            fid = entry["id"]
            if voice is not None:
                mel, slices = arr(entry, "resemblyzer", "mel"), arr(entry, "resemblyzer", "slices")
                if mel is None or slices is None:
                    skipped.append(("resemblyzer", fid))
                else:
                    batch = torch.from_numpy(np.stack([mel[s[0]:s[1]] for s in slices]))
                    partials = voice(batch).numpy()
                    gold_p = arr(entry, "resemblyzer", "partial_embeds")
                    if partials.shape != gold_p.shape:
                        raise SystemExit(f"{fid}: partials {partials.shape} != golden {gold_p.shape}")
                    worst = max((compare(p, g) for p, g in zip(partials, gold_p)), key=lambda c: c[0])
                    rows.append(("resemblyzer", fid, f"partials[{len(partials)}] (worst)", *worst))
                    raw = partials.mean(axis=0)
                    emb = raw / np.linalg.norm(raw)
                    rows.append(("resemblyzer", fid, "embedding", *compare(emb, arr(entry, "resemblyzer", "embedding"))))
            feats = arr(entry, "ecapa", "fbank_norm")
            for name, (model, golden_name) in ecapa.items():
                if feats is None:
                    skipped.append((name, fid))
                    continue
                out = model(torch.from_numpy(feats)[None])
                if tuple(out.shape) != (1, 1, model.fc.conv.out_channels):
                    raise SystemExit(f"{name} {fid}: output shape {tuple(out.shape)}")
                rows.append((name, fid, golden_name, *compare(out.numpy(), arr(entry, "ecapa", golden_name))))

    failed = False
    print(f"{'checkpoint':<20} {'files':>5} {'worst 1-cos':>12} {'worst max|d|/max|e|':>20}  worst file")
    for name in ["resemblyzer", "ecapa_small", "ecapa_full", "ecapa_small_recipe"]:
        for what in (["partials", "embedding"] if name == "resemblyzer" else [None]):
            sel = [r for r in rows if r[0] == name and (what is None or r[2].startswith(what))]
            if not sel:
                continue
            wc = max(sel, key=lambda r: r[3])
            wr = max(r[4] for r in sel)
            ok = wc[3] <= COS_TOL and wr <= REL_TOL
            failed |= not ok
            label = name + (f" {what}" if what else "")
            print(f"{label:<20} {len(sel):>5} {wc[3]:>12.3g} {wr:>20.3g}  {wc[1]}{'' if ok else '  FAIL'}")
    if args.verbose:
        for r in rows:
            print(f"  {r[0]:<20} {r[1]:<40} {r[2]:<22} 1-cos {r[3]:.3g}  rel {r[4]:.3g}")
    if skipped:
        ids = sorted({s[1] for s in skipped})
        print(f"skipped (no model-input arrays in the golden set): {', '.join(ids)}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"targets": {"one_minus_cos": COS_TOL, "rel": REL_TOL},
                       "rows": [dict(zip(["checkpoint", "id", "what", "one_minus_cos", "rel"], r)) for r in rows],
                       "skipped": [list(s) for s in skipped]}, f, indent=1)
    if failed:
        print("check_parity: FAILED (targets: 1-cos <= 1e-6, max|d|/max|e| <= 1e-4)")
        sys.exit(1)
    print("check_parity: all within targets (1-cos <= 1e-6, max|d|/max|e| <= 1e-4)")


if __name__ == "__main__":
    main()
