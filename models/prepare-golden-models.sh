#!/usr/bin/env bash
# Exports the format-faithful golden checkpoints of ../shared/golden to build/models/*.onnx (gitignored) for the
# parity tests and the benchmarks: Resemblyzer, ECAPA small, and the full-size ECAPA built from the README recipe.
# Re-exports when the exporter or the network code changed. Without ../shared there is nothing to prepare.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${SID_SHARED_DIR:-../shared}
g=$shared/golden/checkpoints
out=build/models
if [ ! -d "$g" ]; then
  echo "[models] $g not found: golden models not prepared (parity tests and benchmarks need them)" >&2
  exit 0
fi
mkdir -p "$out"
py=/usr/bin/python3
stale() { [ ! -f "$1" ] || [ -n "$(find models/export.py models/nets models/build_ecapa_full.py -newer "$1" -print -quit)" ]; }

if stale "$out/ecapa_full/embedding_model.ckpt"; then
  $py models/build_ecapa_full.py --keys "$g/ecapa_full/keys.json" --out "$out/ecapa_full/embedding_model.ckpt" >&2
fi
if stale "$out/resemblyzer-golden.onnx"; then
  $py models/export.py resemblyzer --weights "$g/resemblyzer/pretrained.pt" --out "$out/resemblyzer-golden.onnx" >&2
fi
if stale "$out/ecapa-small-golden.onnx"; then
  $py models/export.py ecapa --weights "$g/ecapa_small/embedding_model.ckpt" --hparams "$g/ecapa_small/hyperparams.yaml" \
    --out "$out/ecapa-small-golden.onnx" >&2
fi
if stale "$out/ecapa-full-recipe.onnx"; then
  $py models/export.py ecapa --weights "$out/ecapa_full/embedding_model.ckpt" \
    --hparams "$shared/models/speechbrain-spkrec-ecapa-voxceleb/hyperparams.yaml" --out "$out/ecapa-full-recipe.onnx" >&2
fi
