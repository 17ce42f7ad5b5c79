"""The Python service's inference path as a benchmark peer of bench/stages.mjs: PyTorch (eval mode, inference_mode)
on the project's re-created networks (models/nets), with the same weights and the same model input as the ONNX the
other peers run. One process per thread count (torch.set_num_threads); commands are JSON lines on stdin, answers
JSON lines on stdout (the protocol of bench/inference-peer.mjs):
  {"op": "load", "key": K, "family": "ecapa", "onnx": PATH}                  weights and config from the ONNX
  {"op": "load", "key": K, "family": "resemblyzer", "weights": pretrained.pt}
  {"op": "input", "key": K, "input": I, "file": F32_FILE, "shape": [...]}    a named model input, raw little-endian f32
  {"op": "run", "key": K, "input": I, "n": N}                               -> {"ms": [N times]}
  /usr/bin/python3 bench/pytorch-peer.py --threads N
Which BLAS torch runs on is reported by "hello" (bench/stages.mjs puts Debian's OpenBLAS first on LD_LIBRARY_PATH
when it could fetch it; Debian's torch otherwise links the reference BLAS)."""
import argparse
import json
import os
import sys
import time

import numpy as np
import onnx
import torch
from onnx import numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "models"))
from nets import ecapa_tdnn, resemblyzer  # noqa: E402


def ecapa_from_onnx(path):
    """The ECAPA_TDNN of an ONNX exported by models/export.py: config from its metadata, weights from its
    initializers (the exporter keeps PyTorch's parameter names; BatchNorm counters are not exported)."""
    proto = onnx.load(path)
    meta = {p.key: p.value for p in proto.metadata_props}
    model = ecapa_tdnn.ECAPA_TDNN(**json.loads(meta["config"]))
    inits = {i.name: numpy_helper.to_array(i) for i in proto.graph.initializer}
    state = {}
    for k, v in model.state_dict().items():
        if k.endswith("num_batches_tracked"):
            state[k] = torch.zeros_like(v)
        elif k in inits and tuple(inits[k].shape) == tuple(v.shape):
            state[k] = torch.from_numpy(inits[k].copy())
        else:
            raise ValueError(f"{path}: no tensor {k} of shape {tuple(v.shape)}")
    model.load_state_dict(state)
    return model


def blas_library():
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if "blas" in line.lower() and ".so" in line}
    return sorted(os.path.basename(p) for p in libs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, required=True)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    models, inputs = {}, {}

    def answer(obj):
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    answer({"hello": "pytorch", "torch": torch.__version__, "threads": torch.get_num_threads(),
            "blas": blas_library(), "onednn": torch.backends.mkldnn.is_available()})
    for line in sys.stdin:
        cmd = json.loads(line)
        try:
            if cmd["op"] == "load":
                t = time.perf_counter()
                model = ecapa_from_onnx(cmd["onnx"]) if cmd["family"] == "ecapa" else resemblyzer.load(cmd["weights"])
                models[cmd["key"]] = model.eval()
                answer({"ok": True, "ms": (time.perf_counter() - t) * 1000})
            elif cmd["op"] == "input":
                data = np.fromfile(cmd["file"], dtype="<f4").reshape(cmd["shape"])
                inputs[cmd["key"], cmd["input"]] = torch.from_numpy(data.copy())
                answer({"ok": True})
            elif cmd["op"] == "run":
                model, x, times = models[cmd["key"]], inputs[cmd["key"], cmd["input"]], []
                with torch.inference_mode():
                    for _ in range(cmd["n"]):
                        t = time.perf_counter()
                        model(x)
                        times.append((time.perf_counter() - t) * 1000)
                answer({"ms": times})
            elif cmd["op"] == "exit":
                return
            else:
                answer({"error": f"unknown op {cmd['op']}"})
        except Exception as err:  # reported to the coordinator, which stops the bench with it
            answer({"error": f"{type(err).__name__}: {err}"})


if __name__ == "__main__":
    main()
