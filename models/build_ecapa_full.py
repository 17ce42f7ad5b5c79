"""Builds the format-faithful random ECAPA-TDNN checkpoint of ../shared/golden/README.md's recipe (numpy only)
and saves it as SpeechBrain would (torch.save of the state_dict). The digest in keys.json is checked first.

  /usr/bin/python3 models/build_ecapa_full.py [--keys KEYS.json] [--out embedding_model.ckpt]
Defaults: the full config's keys.json from ../shared/golden, output build/models/ecapa_full/embedding_model.ckpt.
"""
import argparse
import collections
import hashlib
import json
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("SID_SHARED_DIR", os.path.join(ROOT, "..", "shared"))


def build(keys, seed=20261124):
    rng = np.random.default_rng(seed)
    names = {k["name"] for k in keys}
    out = collections.OrderedDict()
    for k in keys:
        name, shape = k["name"], tuple(k["shape"])
        prefix = name.rsplit(".", 1)[0] + "."
        if name.endswith("num_batches_tracked"):
            a = np.zeros(shape, dtype=np.int64)
        elif name.endswith("running_mean"):
            a = rng.normal(0.0, 0.1, shape).astype(np.float32)
        elif name.endswith("running_var"):
            a = rng.uniform(0.5, 2.0, shape).astype(np.float32)
        elif len(shape) >= 2:
            a = rng.normal(0.0, 1.0 / np.sqrt(np.prod(shape[1:])), shape).astype(np.float32)
        elif name.endswith(".weight") and prefix + "running_mean" in names:
            a = rng.normal(1.0, 0.1, shape).astype(np.float32)
        else:
            a = rng.normal(0.0, 0.1, shape).astype(np.float32)
        out[name] = a
    return out


def digest(state):
    h = hashlib.sha256()
    for a in state.values():
        h.update(np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<")).tobytes())
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keys", default=os.path.join(SHARED, "golden/checkpoints/ecapa_full/keys.json"))
    ap.add_argument("--out", default=os.path.join(ROOT, "build/models/ecapa_full/embedding_model.ckpt"))
    args = ap.parse_args()
    meta = json.load(open(args.keys))
    state = build(meta["keys"], meta.get("recipe_seed", 20261124))
    want = meta.get("sha256_of_concatenated_tensor_bytes_recipe") or meta.get("sha256_of_concatenated_tensor_bytes")
    got = digest(state)
    if want and got != want:
        sys.exit(f"build_ecapa_full: recipe digest {got} != {want} from {args.keys}")
    import torch  # only needed to save

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    torch.save({k: torch.from_numpy(v) for k, v in state.items()}, args.out)
    print(f"build_ecapa_full: {args.out} ({os.path.getsize(args.out)} bytes, tensor digest {got})")


if __name__ == "__main__":
    main()
