"""int8 versions of the project's ONNX speaker encoders (ONNX graph surgery with the `onnx` package and numpy; Debian
has no onnxruntime for Python, so calibration and checks run in node).

  /usr/bin/python3 models/quantize.py IN.onnx OUT.onnx [--calibration auto|LIST.txt] [--first-conv int8|fp32] \
      [--check auto|golden|none] [--model-id ID] [--ort-optimize none|extended]

ECAPA (family "ecapa"): static QDQ. Every time-distributed convolution followed by a ReLU gets
    x -> QuantizeLinear -> DequantizeLinear -> Conv(DQ(int8 weight, per output channel), DQ(int32 bias)) -> Relu
      -> QuantizeLinear(zero point = the type's lowest value) -> DequantizeLinear -> ...
  which ONNX Runtime rewrites into one QLinearConv (the Relu goes into the output quantization, ReluQuantFusion; the
  DQ -> Conv -> Q unit into QLinearConv, the QDQ selector). Activation scales come from min/max of each tensor over
  real speech of the *training* corpora, computed by the library's own front-end (models/int8-run.mjs); never
  librispeech_test-other, never the validation speakers of models/train/val-protocol-seed1234.json. The squeeze-
  excitation convolutions (one frame), the attention output and the final linear layer keep fp32 arithmetic but
  store their weights as int8 (weight-only DQ: smaller file, no speed change). --first-conv fp32 leaves the first
  convolution (the log-mel input, ~10 % of the arithmetic) untouched.
Resemblyzer (family "resemblyzer"): dynamic quantization, no calibration: each LSTM becomes com.microsoft
  DynamicQuantizeLSTM (int8 weights per gate row), the final Gemm DynamicQuantizeLinear + MatMulInteger.

Seeded and deterministic: the calibration items are a seeded sample of sorted file lists; the same input, seed and
corpora give the same bytes. The output keeps the input's metadata and adds `quantization` (JSON: scheme, options,
calibration list sha256, the fp32 file's sha256); a model_id becomes <id>-int8 (profiles tell models apart by
sha256 anyway). --ort-optimize extended then replaces the QDQ graph by ONNX Runtime's own optimised graph of it
(QLinearConv and FusedConv nodes, metadata ort_optimized; same embeddings bit for bit, faster session creation in
ORT Web, which the library then does not optimise again); the shipped default is made so. After writing, --check
compares fp32 and int8 embeddings through the library (onnxruntime-web wasm)
on speech the quantizer did not calibrate on: "auto" = other training-corpus items, "golden" = the golden inputs.
"""
import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RUNNER = os.path.join(HERE, "int8-run.mjs")
SHARED = os.environ.get("SID_SHARED_DIR", os.path.join(ROOT, "..", "shared"))
MS_DOMAIN = "com.microsoft"
# Default calibration: (corpus folder, items). Sentences of the three speech corpora the default model was trained
# on, including the telephone one (its band-limited features have other ranges).
CALIBRATION = (("librispeech_train-clean-100", 16), ("speechocean762", 16), ("wuw-corpus-ii", 8))
CALIBRATION_MAX_S = 12.0  # longer files are cut (min/max need no more; keeps calibration ~1 min on 2 cores)


class QuantizeError(Exception):
    pass


def sha256_bytes(b):
    return hashlib.sha256(b).hexdigest()


def sha256_file(path):
    with open(path, "rb") as f:
        return sha256_bytes(f.read())


def metadata(model):
    return {p.key: p.value for p in model.metadata_props}


def set_metadata(model, props):
    del model.metadata_props[:]
    for k, v in props.items():
        model.metadata_props.add(key=k, value=v)


# ---------------------------------------------------------------------------------------------------------------
# calibration data: training corpora only


def validation_speakers(seed=1234):
    path = os.path.join(HERE, "train", f"val-protocol-seed{seed}.json")
    with open(path) as f:
        return set(json.load(f)["val_speakers"])


def calibration_files(seed=0, corpora=CALIBRATION, audio=None, skip=(), purpose="calibration"):
    """Seeded sample of training-corpus files, validation speakers excluded (models/train/data.py lists and names the
    speakers; it refuses librispeech_test-other). -> sorted absolute paths. `skip`: files not to pick (the check set
    must not overlap the calibration set)."""
    sys.path.insert(0, os.path.join(HERE, "train"))
    import data  # noqa: E402  (models/train/data.py)

    audio = audio or os.path.join(SHARED, "audio")
    held_out = validation_speakers()
    rng = random.Random(seed)
    out = []
    for corpus, n in corpora:
        if not os.path.isdir(os.path.join(audio, corpus)):
            hint = "pass --calibration LIST.txt with audio files" if purpose == "calibration" else \
                "pass --check none or --check golden"
            raise QuantizeError(f"{purpose} needs speech of the training corpora: {os.path.join(audio, corpus)} "
                                f"not found (set SID_SHARED_DIR, or {hint})")
        speakers = data.list_speakers(audio, datasets=(corpus,))
        train = [s for s in sorted(speakers) if s not in held_out]
        if corpus == "wuw-corpus-ii":  # sentences (006-010), not the keywords said alone
            files = {s: [p for p in speakers[s] if int(os.path.basename(p)[-8:-5]) > 5] for s in train}
        else:
            files = {s: speakers[s] for s in train}
        # one file per speaker, speakers drawn without replacement: ranges from many voices
        chosen = rng.sample([s for s in train if files[s]], min(n, len(train)))
        for s in sorted(chosen):
            cands = [p for p in files[s] if p not in skip]
            if cands:
                out.append(rng.choice(cands))
    return sorted(out)


def run_node(args, what):
    r = subprocess.run(["node", RUNNER, *args], cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        tail = (r.stderr or r.stdout).strip().splitlines()[-5:]
        raise QuantizeError(f"{what} failed (node {os.path.basename(RUNNER)} {args[0]}):\n  " + "\n  ".join(tail))
    return json.loads(r.stdout.strip().splitlines()[-1])


def observe_ranges(model, tensors, files, max_seconds=CALIBRATION_MAX_S):
    """min/max of each float tensor over the files (front-end of the library, onnxruntime-node on a copy of the
    model whose outputs are these tensors). -> {name: (min, max)}"""
    aug = onnx.ModelProto()
    aug.CopyFrom(model)
    del aug.graph.output[:]
    for t in tensors:
        aug.graph.output.append(helper.make_tensor_value_info(t, TensorProto.FLOAT, None))
    with tempfile.TemporaryDirectory() as tmp:
        p = os.path.join(tmp, "observe.onnx")
        onnx.save(aug, p)
        lst = os.path.join(tmp, "files.txt")
        with open(lst, "w") as f:
            f.write("\n".join(files) + "\n")
        r = run_node(["ranges", p, lst, str(max_seconds)], "calibration")
    missing = [t for t in tensors if t not in r["ranges"]]
    if missing:
        raise QuantizeError(f"calibration did not observe {missing[:3]}")
    return {t: tuple(r["ranges"][t]) for t in tensors}, r


# ---------------------------------------------------------------------------------------------------------------
# graph helpers


class Graph:
    def __init__(self, model):
        self.model = model
        self.g = model.graph
        self.init = {i.name: i for i in self.g.initializer}
        self.consumers = {}
        for n in self.g.node:
            for i in n.input:
                self.consumers.setdefault(i, []).append(n)
        self.before = {}  # id(node) -> nodes to insert before it
        self.after = {}
        self.new_init = []
        self.drop_init = set()
        self.removed = set()  # id(node) of replaced nodes

    def array(self, name):
        return numpy_helper.to_array(self.init[name])

    def add_init(self, name, arr):
        self.new_init.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    def finish(self):
        nodes = []
        for n in self.g.node:
            nodes += self.before.get(id(n), [])
            if id(n) not in self.removed:
                nodes.append(n)
            nodes += self.after.get(id(n), [])
        del self.g.node[:]
        self.g.node.extend(nodes)
        still = set(i for n in nodes for i in n.input)
        keep = [i for i in self.g.initializer if not (i.name in self.drop_init and i.name not in still)]
        del self.g.initializer[:]
        self.g.initializer.extend(keep + self.new_init)


def act_params(lo, hi, qtype):
    """Asymmetric activation quantization of [lo, hi] (0 always representable). -> (scale float32, zero point)."""
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    qmin, qmax = (0, 255) if qtype == "uint8" else (-128, 127)
    scale = (hi - lo) / (qmax - qmin) if hi > lo else 1.0
    zp = int(np.clip(round(qmin - lo / scale), qmin, qmax))
    return np.float32(scale), zp


def weight_params(w):
    """Symmetric int8 per output channel (axis 0), -127..127 (no -128: the products of both signs stay symmetric)."""
    m = np.abs(w.reshape(w.shape[0], -1)).max(axis=1)
    scale = np.where(m > 0, m / 127.0, 1.0).astype(np.float32)
    q = np.clip(np.round(w / scale.reshape((-1,) + (1,) * (w.ndim - 1))), -127, 127).astype(np.int8)
    return q, scale


def zp_array(zp, qtype):
    return np.array(zp, dtype=np.uint8 if qtype == "uint8" else np.int8)


# ---------------------------------------------------------------------------------------------------------------
# ECAPA: static QDQ


def ecapa_plan(model, first_conv="int8", keep=()):
    """-> (static [(conv, relu)], weight_only [conv]). Static: Conv whose only consumer is a Relu (the fusable
    pattern), with an initializer weight, not in a squeeze-excitation block (one frame: nothing to gain)."""
    g = Graph(model)
    convs = [n for n in model.graph.node if n.op_type == "Conv"]
    static, weight_only = [], []
    for k, n in enumerate(convs):
        if n.input[1] not in g.init:
            continue
        if k == 0 and first_conv == "fp32":
            continue
        if any(p and p in n.name for p in keep):
            continue
        outs = g.consumers.get(n.output[0], [])
        if len(outs) == 1 and outs[0].op_type == "Relu" and "se_block" not in n.name:
            static.append((n, outs[0]))
        else:
            weight_only.append(n)
    return static, weight_only


def dq_weight(g, conv, tag):
    """int8 per-channel weight + DequantizeLinear in front of conv; -> (DQ output name, weight scales)."""
    w = g.array(conv.input[1])
    q, s = weight_params(w)
    base = f"{conv.name or conv.output[0]}/{tag}"
    qn, sn, zn = g.add_init(base + "/w_q", q), g.add_init(base + "/w_scale", s), \
        g.add_init(base + "/w_zp", np.zeros(len(s), np.int8))
    out = base + "/w_dq"
    g.before.setdefault(id(conv), []).append(helper.make_node(
        "DequantizeLinear", [qn, sn, zn], [out], name=base + "/w_DequantizeLinear", axis=0))
    g.drop_init.add(conv.input[1])
    return out, s


def quantize_ecapa(model, ranges, plan, act_type="uint8"):
    static, weight_only = plan
    g = Graph(model)
    for conv, relu in static:
        base = conv.name or conv.output[0]
        xs, xz = act_params(*ranges[conv.input[0]], act_type)
        # input: Q -> DQ on this edge only (other consumers of the tensor stay fp32)
        sn, zn = g.add_init(base + "/x_scale", xs), g.add_init(base + "/x_zp", zp_array(xz, act_type))
        xq, xdq = base + "/x_q", base + "/x_dq"
        pre = g.before.setdefault(id(conv), [])
        pre.append(helper.make_node("QuantizeLinear", [conv.input[0], sn, zn], [xq], name=base + "/x_QuantizeLinear"))
        pre.append(helper.make_node("DequantizeLinear", [xq, sn, zn], [xdq], name=base + "/x_DequantizeLinear"))
        wdq, ws = dq_weight(g, conv, "conv")
        inputs = [xdq, wdq]
        if len(conv.input) > 2 and conv.input[2]:
            b = g.array(conv.input[2]).astype(np.float64)
            bs = (xs * ws).astype(np.float32)  # the bias scale QLinearConv assumes: x_scale * w_scale
            bq = np.clip(np.round(b / bs.astype(np.float64)), -2 ** 31, 2 ** 31 - 1).astype(np.int32)
            bqn, bsn = g.add_init(base + "/b_q", bq), g.add_init(base + "/b_scale", bs)
            bzn = g.add_init(base + "/b_zp", np.zeros(len(bs), np.int32))
            pre.append(helper.make_node("DequantizeLinear", [bqn, bsn, bzn], [base + "/b_dq"],
                                        name=base + "/b_DequantizeLinear", axis=0))
            g.drop_init.add(conv.input[2])
            inputs.append(base + "/b_dq")
        conv.input[:] = inputs
        # output: after the Relu, with the zero point at the type's lowest value (the Relu is then redundant and ORT
        # removes it), so the whole positive range gets the 8 bits
        y = relu.output[0]
        lo, hi = ranges[y]
        qmin = 0 if act_type == "uint8" else -128
        ys, _ = act_params(0.0, hi, act_type)
        ysn, yzn = g.add_init(base + "/y_scale", ys), g.add_init(base + "/y_zp", zp_array(qmin, act_type))
        relu.output[0] = base + "/y_relu"
        g.after.setdefault(id(relu), []).extend([
            helper.make_node("QuantizeLinear", [base + "/y_relu", ysn, yzn], [base + "/y_q"], name=base + "/y_QuantizeLinear"),
            helper.make_node("DequantizeLinear", [base + "/y_q", ysn, yzn], [y], name=base + "/y_DequantizeLinear"),
        ])
    for conv in weight_only:
        wdq, _ = dq_weight(g, conv, "conv")
        conv.input[1] = wdq
    g.finish()
    return model


# ---------------------------------------------------------------------------------------------------------------
# Resemblyzer: dynamic


def quantize_resemblyzer(model):
    g = Graph(model)
    n_lstm = n_gemm = 0
    for node in list(model.graph.node):
        if node.op_type == "LSTM" and node.input[1] in g.init and node.input[2] in g.init:
            base = node.name or node.output[0]
            ins = list(node.input) + [""] * (8 - len(node.input))
            new_in = [ins[0]]
            for tag, name in (("W", ins[1]), ("R", ins[2])):
                a = g.array(name)  # [dirs, 4*hidden, in]
                d, rows, cols = a.shape
                q, s = weight_params(a.reshape(d * rows, cols))
                # DynamicQuantizeLSTM wants [dirs, in, 4*hidden] and scales / zero points [dirs, 4*hidden]
                g.add_init(f"{base}/{tag}_q", q.reshape(d, rows, cols).transpose(0, 2, 1))
                g.add_init(f"{base}/{tag}_scale", s.reshape(d, rows))
                g.add_init(f"{base}/{tag}_zp", np.zeros((d, rows), np.int8))
                g.drop_init.add(name)
                new_in.append(f"{base}/{tag}_q")
            new_in += ins[3:8] + [f"{base}/W_scale", f"{base}/W_zp", f"{base}/R_scale", f"{base}/R_zp"]
            attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
            attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in attrs.items()}
            if "activations" in attrs:
                attrs["activations"] = [a.decode() if isinstance(a, bytes) else a for a in attrs["activations"]]
            new = helper.make_node("DynamicQuantizeLSTM", new_in, list(node.output), name=base + "_quant",
                                   domain=MS_DOMAIN, **attrs)
            node.CopyFrom(new)
            n_lstm += 1
        elif node.op_type == "Gemm" and node.input[1] in g.init:
            attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
            if attrs.get("transA", 0) or attrs.get("alpha", 1.0) != 1.0 or attrs.get("beta", 1.0) != 1.0:
                continue
            base = node.name or node.output[0]
            w = g.array(node.input[1])
            w = w.T if attrs.get("transB", 0) else w  # -> [in, out]
            m = float(np.abs(w).max())
            ws = np.float32(m / 127.0 if m > 0 else 1.0)  # per tensor: MatMulInteger's B zero point is one value
            wq = np.clip(np.round(w / ws), -127, 127).astype(np.int8)
            g.add_init(base + "/w_q", wq)
            g.add_init(base + "/w_zp", np.array(0, np.int8))
            g.add_init(base + "/w_scale", ws)
            g.drop_init.add(node.input[1])
            x, y = node.input[0], node.output[0]
            mm = base + "/mm" if len(node.input) > 2 and node.input[2] else y
            chain = [
                helper.make_node("DynamicQuantizeLinear", [x], [base + "/x_q", base + "/x_scale", base + "/x_zp"],
                                 name=base + "/DynamicQuantizeLinear"),
                helper.make_node("MatMulInteger", [base + "/x_q", base + "/w_q", base + "/x_zp", base + "/w_zp"],
                                 [base + "/acc"], name=base + "/MatMulInteger"),
                helper.make_node("Cast", [base + "/acc"], [base + "/acc_f"], name=base + "/Cast", to=TensorProto.FLOAT),
                helper.make_node("Mul", [base + "/x_scale", base + "/w_scale"], [base + "/scale"], name=base + "/scale_Mul"),
                helper.make_node("Mul", [base + "/acc_f", base + "/scale"], [mm], name=base + "/Mul"),
            ]
            if mm != y:
                chain.append(helper.make_node("Add", [mm, node.input[2]], [y], name=base + "/bias_Add"))
            g.after.setdefault(id(node), []).extend(chain)
            g.removed.add(id(node))
            n_gemm += 1
    g.finish()
    if not any(o.domain == MS_DOMAIN for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid(MS_DOMAIN, 1))
    return model, n_lstm, n_gemm


# ---------------------------------------------------------------------------------------------------------------


def check(fp32_path, int8_path, files):
    """fp32 vs int8 embeddings through the library (onnxruntime-web wasm, 1 thread) -> runner's JSON."""
    with tempfile.TemporaryDirectory() as tmp:
        lst = os.path.join(tmp, "files.txt")
        with open(lst, "w") as f:
            f.write("\n".join(files) + "\n")
        return run_node(["compare", fp32_path, int8_path, lst], "fp32 vs int8 check")


def fused_ops(path):
    """Quantized operators of the graph as ONNX Runtime runs it (onnxruntime-node's optimised graph: the same CPU
    execution provider and graph transformers as the wasm build) -> {op: count}."""
    with tempfile.TemporaryDirectory() as tmp:
        opt = os.path.join(tmp, "optimised.onnx")
        run_node(["optimize", path, opt], "ORT optimisation")
        counts = {}
        for n in onnx.load(opt).graph.node:
            if any(k in n.op_type for k in ("Quant", "quant", "QLinear", "Integer")):
                counts[n.op_type] = counts.get(n.op_type, 0) + 1
        return dict(sorted(counts.items()))


def golden_files():
    """The golden inputs (../shared/golden/manifest.json, paths relative to the folder holding shared/)."""
    man = os.path.join(SHARED, "golden", "manifest.json")
    if not os.path.exists(man):
        raise QuantizeError(f"{man} not found: no golden inputs to check on")
    with open(man) as f:
        entries = json.load(f)["files"]
    return [os.path.join(os.path.dirname(os.path.abspath(SHARED)), e["input"]) for e in entries]


def read_list(path):
    with open(path) as f:
        files = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    if not files:
        raise QuantizeError(f"{path}: no files listed")
    for p in files:
        if "librispeech_test-other" in p:
            raise QuantizeError(f"{path}: {p}: the evaluation set is never used for calibration")
        if not os.path.exists(p):
            raise QuantizeError(f"{path}: {p} not found")
    return files


def ort_optimize(path, level):
    """Rewrites path as ONNX Runtime's graph at `level` (onnxruntime-node; 'extended': the fusions that do not depend
    on the machine, so the file runs everywhere ORT does) with metadata ort_optimized = "<level> (onnxruntime X)":
    the library then creates its wasm sessions without optimising again (about half of the session creation of the
    QDQ graph in ORT Web: README "Cold start"). The graph computes the same embeddings bit for bit."""
    with tempfile.TemporaryDirectory() as tmp:
        opt = os.path.join(tmp, "optimised.onnx")
        r = run_node(["optimize", path, opt, level], "ORT optimisation")
        model = onnx.load(opt)
    props = metadata(model)
    props["ort_optimized"] = f"{level} (onnxruntime {r['ort']})"
    set_metadata(model, dict(sorted(props.items())))
    onnx.save(model, path)  # not onnx.checker: the graph holds ORT's own com.microsoft operators (FusedConv)


def quantize(in_path, out_path, calibration="auto", seed=0, first_conv="int8", act_type="uint8", keep=(),
             check_on="auto", log=print, model_id=None, optimize="none"):
    """Writes the int8 model of in_path to out_path. -> report dict (also the `quantization` metadata).
    model_id: the output's metadata model_id (default: the input's with -int8 appended, when it has one).
    optimize: 'none' (the QDQ graph as written) or 'extended' (ort_optimize: what the package ships)."""
    model = onnx.load(in_path)
    meta = metadata(model)
    family = meta.get("family")
    if family not in ("ecapa", "resemblyzer"):
        raise QuantizeError(f"{in_path}: metadata family is {family!r}; export the model with models/export.py")
    if any(n.op_type in ("QuantizeLinear", "DynamicQuantizeLSTM", "QLinearConv") for n in model.graph.node):
        raise QuantizeError(f"{in_path} is already quantized")
    info = {"source_onnx_sha256": sha256_file(in_path), "tool": "speaker-id models/quantize.py", "seed": seed}
    cal_files = []
    if family == "ecapa":
        plan = ecapa_plan(model, first_conv, keep)
        if not plan[0]:
            raise QuantizeError(f"{in_path}: no Conv -> Relu found to quantize (not an ECAPA export?)")
        tensors = sorted(set(t for conv, relu in plan[0] for t in (conv.input[0], relu.output[0])))
        cal_files = calibration_files(seed) if calibration == "auto" else read_list(calibration)
        log(f"quantize: calibrating {len(tensors)} tensors on {len(cal_files)} files")
        ranges, obs = observe_ranges(model, tensors, cal_files)
        model = quantize_ecapa(model, ranges, plan, act_type)
        info.update(scheme="static QDQ (QLinearConv after ORT's fusion): int8 weights per output channel, "
                           f"{act_type} activations (min/max calibration), Relu folded into the output quantization",
                    first_conv=first_conv, activations=act_type, static_convs=len(plan[0]),
                    weight_only_convs=len(plan[1]), kept_fp32=list(keep),
                    calibration={"files": len(cal_files), "frames": obs["frames"],
                                 "max_seconds_per_file": CALIBRATION_MAX_S,
                                 "list_sha256": sha256_bytes(
                                     "\n".join(os.path.relpath(p, SHARED) for p in cal_files).encode()),
                                 "source": "training corpora (" + ", ".join(c for c, _ in CALIBRATION) + ")"
                                 if calibration == "auto" else "file list"})
    else:
        model, n_lstm, n_gemm = quantize_resemblyzer(model)
        if not n_lstm:
            raise QuantizeError(f"{in_path}: no LSTM with initializer weights found")
        info.update(scheme="dynamic: com.microsoft DynamicQuantizeLSTM (int8 weights per gate row), Gemm -> "
                           "DynamicQuantizeLinear + MatMulInteger (int8 weights per tensor)",
                    lstm=n_lstm, gemm=n_gemm)
    if model_id:
        meta["model_id"] = model_id
    elif meta.get("model_id"):
        meta["model_id"] = meta["model_id"] + "-int8"
    meta["quantization"] = json.dumps(info, sort_keys=True)
    set_metadata(model, meta)
    onnx.checker.check_model(model)
    os.makedirs(os.path.dirname(os.path.abspath(out_path)) or ".", exist_ok=True)
    onnx.save(model, out_path)
    if optimize != "none":
        ort_optimize(out_path, optimize)
    report = {"out": out_path, "bytes": os.path.getsize(out_path), "fp32_bytes": os.path.getsize(in_path),
              "ort_optimized": optimize,
              "sha256": sha256_file(out_path), **info}
    if family == "ecapa":  # not in the metadata: the file's bytes must not depend on the machine's speed
        report["calibration"] = {**info["calibration"], "seconds": round(obs["seconds"], 1)}
    if check_on != "none":
        if check_on == "golden":
            files = golden_files()
        else:
            files = calibration_files(seed + 1, corpora=(("librispeech_train-clean-100", 4), ("speechocean762", 4),
                                                         ("wuw-corpus-ii", 2)), skip=set(cal_files),
                                      purpose="the fp32 vs int8 check")
        r = check(in_path, out_path, files)
        report["check"] = {"on": check_on, "files": len(files), "one_minus_cos_median": r["median"],
                           "one_minus_cos_max": r["max"], "ort_web": r["runtime"]}
        report["fused_ops"] = fused_ops(out_path)
    return report


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--calibration", default="auto",
                    help="'auto' (seeded training-corpus sample, validation speakers excluded) or a text file "
                         "listing audio files, one per line (ECAPA only)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--first-conv", choices=["int8", "fp32"], default="int8")
    ap.add_argument("--activations", choices=["uint8", "int8"], default="uint8")
    ap.add_argument("--keep-fp32", action="append", default=[], metavar="SUBSTRING",
                    help="leave Conv nodes whose name contains SUBSTRING unquantized (repeatable)")
    ap.add_argument("--check", choices=["auto", "golden", "none"], default="auto")
    ap.add_argument("--model-id", help="the output's metadata model_id (default: the input's + '-int8')")
    ap.add_argument("--ort-optimize", choices=["none", "extended"], default="none",
                    help="'extended': write ONNX Runtime's optimised graph (fused QLinearConv; what the package ships)")
    args = ap.parse_args()
    try:
        report = quantize(args.input, args.output, args.calibration, args.seed, args.first_conv, args.activations,
                          tuple(args.keep_fp32), args.check, log=lambda m: print(m, file=sys.stderr),
                          model_id=args.model_id, optimize=args.ort_optimize)
    except (QuantizeError, OSError) as err:
        sys.exit(f"quantize: {err}")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
