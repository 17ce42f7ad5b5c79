"""Upstream checkpoint -> ONNX, checked against the PyTorch module at export time.

  /usr/bin/python3 models/export.py resemblyzer --weights pretrained.pt --out X.onnx
  /usr/bin/python3 models/export.py ecapa --weights embedding_model.ckpt --hparams hyperparams.yaml --out X.onnx

Tensors: resemblyzer  "mels" [batch, frames, 40] -> "embeddings" [batch, 256] (L2-normalised partial embeddings)
         ecapa        "feats" [batch, time, 80]  -> "embedding" [batch, 1, 192] (raw, cosine-scored)
Batch and time are dynamic. metadata_props: family, frontend, embedding_dim, source_sha256, exporter.
Add --register ID [--threshold T] to add or replace the entry ID in models/manifest.json (path relative to it).
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nets import ecapa_tdnn, resemblyzer  # noqa: E402

MANIFEST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "manifest.json")
OPSET = 14


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def family_spec(family, args):
    if family == "resemblyzer":
        model = resemblyzer.load(args.weights)
        example = torch.randn(3, 160, 40).abs()
        return model, example, "mels", "embeddings", {"mels": {0: "batch", 1: "frames"}, "embeddings": {0: "batch"}}, \
            {"frontend": "resemblyzer", "embedding_dim": 256}, [(2, 160), (1, 120)]
    if not args.hparams:
        raise ValueError("ecapa needs --hparams hyperparams.yaml (the upstream model configuration)")
    with open(args.hparams) as f:
        model, cfg = ecapa_tdnn.load(args.weights, f.read())
    example = torch.randn(1, 200, 80)
    return model, example, "feats", "embedding", {"feats": {0: "batch", 1: "time"}, "embedding": {0: "batch"}}, \
        {"frontend": "ecapa", "embedding_dim": cfg.get("lin_neurons", 192), "config": json.dumps(cfg)}, \
        [(1, 57), (2, 731)]


def reference_check(onnx_path, model, shapes, feature_dim):
    """Compare ONNX (with onnx's reference evaluator when available) against PyTorch on other shapes."""
    try:
        from onnx.reference import ReferenceEvaluator  # onnx >= 1.13
    except ImportError:
        return "skipped (onnx < 1.13 has no reference evaluator; the JS parity tests run the ONNX)"
    sess = ReferenceEvaluator(onnx_path)
    worst = 0.0
    for b, t in shapes:
        x = torch.randn(b, t, feature_dim)
        with torch.no_grad():
            ref = model(x).numpy()
        got = sess.run(None, {sess.input_names[0]: x.numpy()})[0]
        worst = max(worst, float(np.abs(got - ref).max()))
    return f"max |onnx - torch| = {worst:.3g}"


def register(entry):
    manifest = json.load(open(MANIFEST)) if os.path.exists(MANIFEST) else {"version": 1, "models": []}
    manifest["models"] = [m for m in manifest["models"] if m["id"] != entry["id"]] + [entry]
    with open(MANIFEST, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("family", choices=["resemblyzer", "ecapa"])
    ap.add_argument("--weights", required=True)
    ap.add_argument("--hparams")
    ap.add_argument("--out", required=True)
    ap.add_argument("--register", metavar="ID")
    ap.add_argument("--threshold", type=float)
    args = ap.parse_args()
    torch.set_num_threads(2)
    try:
        model, example, in_name, out_name, axes, meta, check_shapes = family_spec(args.family, args)
    except (ValueError, OSError) as err:
        sys.exit(f"export: {err}")

    # Exported modules must run dynamic shapes: trace once, then compare PyTorch vs the traced graph on others.
    os.makedirs(os.path.dirname(os.path.abspath(args.out)) or ".", exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(model, (example,), args.out, input_names=[in_name], output_names=[out_name],
                          dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True)
    proto = onnx.load(args.out)
    meta = {"family": args.family, "source_sha256": sha256_file(args.weights),
            "exporter": "speaker-id models/export.py", **{k: str(v) for k, v in meta.items()}}
    if args.threshold is not None:
        meta["threshold"] = str(args.threshold)
    if args.register:
        meta["model_id"] = args.register
    del proto.metadata_props[:]
    for k, v in meta.items():
        proto.metadata_props.add(key=k, value=v)
    onnx.checker.check_model(proto)
    onnx.save(proto, args.out)
    check = reference_check(args.out, model, check_shapes, example.shape[-1])
    digest, size = sha256_file(args.out), os.path.getsize(args.out)
    print(f"export: {args.family} -> {args.out} ({size} bytes, sha256 {digest}); check: {check}")
    if args.register:
        entry = {
            "id": args.register, "family": args.family, "frontend": meta["frontend"],
            "path": os.path.relpath(os.path.abspath(args.out), os.path.dirname(MANIFEST)),
            "input": {"name": in_name, "shape": ["batch", "frames", 40] if args.family == "resemblyzer"
                      else ["batch", "time", 80]},
            "output": {"name": out_name, "shape": ["batch", 256] if args.family == "resemblyzer"
                       else ["batch", 1, int(meta["embedding_dim"])]},
            "embedding_dim": int(meta["embedding_dim"]), "onnx_sha256": digest, "file_size": size,
            "source_sha256": meta["source_sha256"],
        }
        if args.threshold is not None:
            entry["threshold"] = args.threshold
        register(entry)
        print(f"export: registered '{args.register}' in {MANIFEST}")


if __name__ == "__main__":
    main()
