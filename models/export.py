"""Upstream checkpoint -> ONNX, checked against the PyTorch module at export time.

  /usr/bin/python3 models/export.py resemblyzer --weights pretrained.pt --out X.onnx
  /usr/bin/python3 models/export.py ecapa --weights embedding_model.ckpt --hparams hyperparams.yaml --out X.onnx

Tensors: resemblyzer  "mels" [batch, frames, 40] -> "embeddings" [batch, 256] (L2-normalised partial embeddings)
         ecapa        "feats" [batch, time, 80]  -> "embedding" [batch, 1, 192] (raw, cosine-scored)
Batch and time are dynamic. metadata_props: family, frontend, embedding_dim, source_sha256, exporter.
Add --register ID [--threshold T] to add or replace the entry ID in models/manifest.json (path relative to it).
Add --int8 to also write the int8 model (models/quantize.py: static QDQ for ECAPA, calibrated on training-corpus
speech; dynamic DynamicQuantizeLSTM for Resemblyzer) as --int8-out (default: OUT with -int8 before .onnx), checked
against the fp32 export through the library on the golden inputs (../shared/golden; else on training-corpus speech):
it fails when the largest 1 - cos of the utterance embeddings exceeds --int8-max (the fp32 export stays).
--int8-register ID registers the int8 file too, as entry ID (its metadata model_id; --threshold applies to both).
The int8 file is ONNX Runtime's optimised graph of the QDQ model (quantize.py --ort-optimize extended) unless
--int8-ort-optimize none.
The shipped default is made so: --out compact-ecapa-fp32.onnx --register compact-ecapa-fp32 --int8
--int8-out compact-ecapa.onnx --int8-register compact-ecapa (models/compact/README.md).
"""
import argparse
import hashlib
import json
import os
import sys
import warnings

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nets import ecapa_tdnn, resemblyzer  # noqa: E402

MANIFEST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "manifest.json")
OPSET = 14
# torch 1.13's exporter warns about its own constants on every graph; nothing to act on.
warnings.filterwarnings("ignore", message="The shape inference of prim::Constant")
warnings.filterwarnings("ignore", message="Constant folding - Only steps=1")


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


def onnx_check(onnx_path, model, in_name, shapes, feature_dim):
    """Run the ONNX on shapes other than the traced one (onnxruntime-node: Debian has no Python onnxruntime) and
    compare with PyTorch. Returns the largest absolute difference; raises when the check cannot run."""
    import subprocess
    import tempfile

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        gen = torch.Generator().manual_seed(7)
        for i, (b, t) in enumerate(shapes):
            x = torch.randn(b, t, feature_dim, generator=gen).abs()
            with torch.no_grad():
                y = model(x).numpy()
            np.save(os.path.join(tmp, f"in{i}.npy"), x.numpy())
            np.save(os.path.join(tmp, f"out{i}.npy"), y)
            files += [os.path.join(tmp, f"in{i}.npy"), os.path.join(tmp, f"out{i}.npy")]
        r = subprocess.run(["node", os.path.join(root, "models/onnx_check.mjs"), onnx_path, in_name, *files],
                           capture_output=True, text=True, cwd=root)
        if r.returncode != 0:
            raise RuntimeError(f"onnx check failed: {r.stderr.strip().splitlines()[-1] if r.stderr else r.returncode}")
        return json.loads(r.stdout)["maxAbsDiff"]


KEPT_ON_REGISTER = ("default", "license", "card")  # the entry's place in the package, not the file's content


def register(entry):
    """Adds or replaces entry ID. Of a replaced entry only KEPT_ON_REGISTER survive; everything that describes the
    old file (threshold_source, calibration, ...) goes with it (models/train/calibrate.py --register adds those)."""
    manifest = json.load(open(MANIFEST)) if os.path.exists(MANIFEST) else {"version": 1, "models": []}
    old = next((m for m in manifest["models"] if m["id"] == entry["id"]), {})
    entry = {**entry, **{k: old[k] for k in KEPT_ON_REGISTER if k in old}}
    ids = [m["id"] for m in manifest["models"]]
    if entry["id"] in ids:  # in place: the order of the entries stays
        manifest["models"][ids.index(entry["id"])] = entry
    else:
        manifest["models"].append(entry)
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
    ap.add_argument("--skip-check", action="store_true", help="do not run the ONNX vs PyTorch check (needs node)")
    ap.add_argument("--int8", action="store_true", help="also write an int8 version (models/quantize.py)")
    ap.add_argument("--int8-out", help="where (default: OUT with -int8 before .onnx)")
    ap.add_argument("--int8-register", metavar="ID", help="also register the int8 file, as entry ID")
    ap.add_argument("--int8-ort-optimize", choices=["extended", "none"], default="extended",
                    help="quantize.py --ort-optimize (default extended: ONNX Runtime's optimised graph, as shipped)")
    ap.add_argument("--int8-calibration", default="auto", help="quantize.py --calibration (ECAPA only)")
    ap.add_argument("--int8-first-conv", choices=["int8", "fp32"], default="int8", help="quantize.py --first-conv")
    ap.add_argument("--int8-max", type=float, default=1e-2,
                    help="largest accepted 1 - cos between fp32 and int8 embeddings (default 0.01)")
    args = ap.parse_args()
    if args.int8_register and not args.int8:
        sys.exit("export: --int8-register needs --int8")
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
    if args.skip_check:
        check = "skipped (--skip-check)"
    else:
        worst = onnx_check(args.out, model, in_name, check_shapes, example.shape[-1])
        if worst > 1e-4:
            sys.exit(f"export: ONNX and PyTorch disagree (max |d| = {worst:.3g}); not using {args.out}")
        check = f"onnxruntime vs PyTorch on {check_shapes}: max |d| = {worst:.3g}"
    digest, size = sha256_file(args.out), os.path.getsize(args.out)
    print(f"export: {args.family} -> {args.out} ({size} bytes, sha256 {digest}); {check}")
    def entry(model_id, path, precision):
        e = {
            "id": model_id, "family": args.family, "frontend": meta["frontend"],
            "path": os.path.relpath(os.path.abspath(path), os.path.dirname(MANIFEST)),
            "input": {"name": in_name, "shape": ["batch", "frames", 40] if args.family == "resemblyzer"
                      else ["batch", "time", 80]},
            "output": {"name": out_name, "shape": ["batch", 256] if args.family == "resemblyzer"
                       else ["batch", 1, int(meta["embedding_dim"])]},
            "embedding_dim": int(meta["embedding_dim"]), "precision": precision,
            "onnx_sha256": sha256_file(path), "file_size": os.path.getsize(path),
            "source_sha256": meta["source_sha256"],
        }
        if args.threshold is not None:
            e["threshold"] = args.threshold
        return e

    if args.register:
        register(entry(args.register, args.out, "fp32"))
        print(f"export: registered '{args.register}' in {MANIFEST}")
    if args.int8:
        out = export_int8(args)
        if args.int8_register:
            register({**entry(args.int8_register, out, "int8"), "quantized_from": sha256_file(args.out)})
            print(f"export: registered '{args.int8_register}' (int8) in {MANIFEST}")


def export_int8(args):
    try:
        import quantize  # a checkout's tool (calibration data, onnxruntime-node): not in the npm package
    except ImportError:
        sys.exit("export: --int8 needs models/quantize.py of a speaker-id checkout (not part of the npm package)")

    out = args.int8_out or (args.out[:-5] if args.out.endswith(".onnx") else args.out) + "-int8.onnx"
    golden = os.path.exists(os.path.join(quantize.SHARED, "golden", "manifest.json"))
    try:
        r = quantize.quantize(args.out, out, calibration=args.int8_calibration, first_conv=args.int8_first_conv,
                              check_on="golden" if golden else "auto", log=lambda m: print(m, file=sys.stderr),
                              model_id=args.int8_register, optimize=args.int8_ort_optimize)
    except (quantize.QuantizeError, OSError) as err:
        sys.exit(f"export: int8: {err}")
    c = r["check"]
    print(f"export: int8 -> {out} ({r['bytes']} bytes, sha256 {r['sha256']}); fp32 vs int8 on {c['files']} "
          f"{'golden inputs' if c['on'] == 'golden' else 'training-corpus files'} ({c['ort_web']}): 1 - cos median "
          f"{c['one_minus_cos_median']:.3g}, max {c['one_minus_cos_max']:.3g}")
    if not c["one_minus_cos_max"] <= args.int8_max:
        sys.exit(f"export: int8 embeddings differ from fp32 (1 - cos up to {c['one_minus_cos_max']:.3g} > "
                 f"{args.int8_max}); not using {out}")
    return out


if __name__ == "__main__":
    main()
