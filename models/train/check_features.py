"""Proves features.py equals the golden SpeechBrain fbank arrays (dev01..dev11) within 0.02 dB.

  /usr/bin/python3 models/train/check_features.py
Inputs: ../shared/golden/files/<id>/resemblyzer/raw.npy; references: <id>/ecapa/fbank.npy and fbank_norm.npy.
Prints the worst |d| per file and overall; exits 1 on any failure. (Deterministic DSP parity only: nothing is
trained or tuned on these arrays.)
"""
import glob
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from features import fbank  # noqa: E402

SHARED = os.environ.get("SID_SHARED_DIR", os.path.join(HERE, "..", "..", "..", "shared"))
TOL_DB = 0.02


def main():
    t0 = time.time()
    torch.set_num_threads(2)
    ids = [f"dev{i:02d}" for i in range(1, 12)]
    worst = {"fbank": 0.0, "fbank_norm": 0.0}
    failed = []
    for i in ids:
        dirs = glob.glob(os.path.join(SHARED, "golden", "files", i + "_*"))
        if len(dirs) != 1:
            failed.append(f"{i}: golden folder not found")
            continue
        d = dirs[0]
        raw = np.load(os.path.join(d, "resemblyzer", "raw.npy"))
        row = []
        for name, norm in (("fbank", False), ("fbank_norm", True)):
            ref = np.load(os.path.join(d, "ecapa", name + ".npy"))
            got = fbank(raw, mean_norm=norm)[0].numpy()
            if got.shape != ref.shape:
                failed.append(f"{os.path.basename(d)} {name}: shape {got.shape} != {ref.shape}")
                continue
            diff = float(np.abs(got.astype(np.float64) - ref).max())
            worst[name] = max(worst[name], diff)
            row.append(f"{name} max|d|={diff:.2e} dB")
            if not diff <= TOL_DB:
                failed.append(f"{os.path.basename(d)} {name}: max|d| {diff:.4g} dB > {TOL_DB}")
        print(f"{os.path.basename(d):45s} " + "  ".join(row))
    print(f"worst: fbank {worst['fbank']:.3e} dB, fbank_norm {worst['fbank_norm']:.3e} dB "
          f"(tolerance {TOL_DB} dB); {time.time() - t0:.1f} s")
    if failed:
        print("FAIL:\n  " + "\n  ".join(failed))
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
