// models/quantize.py: the int8 versions of the default model (static QDQ, calibrated on training-corpus speech) and
// of the Resemblyzer golden export (dynamic) are written to a temp dir, run by ONNX Runtime Web's wasm build
// (`speaker-id embed`, what users run: an unsupported operator fails the session), and give utterance embeddings
// of real speech close to the fp32 model's. Bounds: 1 - cos <= 1e-3 for ECAPA (measured ~1e-4; a wrong scale,
// axis or zero point gives 1e-2 and more), <= 1e-4 for Resemblyzer (measured ~4e-6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, goldenInputPath, goldenManifest, runCli } from './helpers.mjs';

const PY = '/usr/bin/python3';
const tmp = mkdtempSync(join(tmpdir(), 'sid-int8-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

// Real speech among the golden inputs (LibriSpeech test-other / train-clean-100, SpeechBrain samples); test-other
// is only compared on here, never calibrated on.
const speech = goldenManifest().files.filter((e) => !e.id.includes('synth')).map(goldenInputPath);

function quantize(input, output, ...extra) {
  const r = spawnSync(PY, [join(ROOT, 'models/quantize.py'), input, output, '--check', 'none', ...extra],
    { encoding: 'utf8', cwd: ROOT });
  return { code: r.status, report: r.status === 0 ? JSON.parse(r.stdout) : null, stderr: r.stderr };
}

function opCounts(onnx) {
  const r = spawnSync(PY, ['-c', 'import collections, json, onnx, sys; m = onnx.load(sys.argv[1]); ' +
    'print(json.dumps(collections.Counter(n.op_type for n in m.graph.node)))', onnx], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// Through ONNX Runtime Web's wasm build, what browsers and edge workers run (Node's default would be native).
function embeddings(model) {
  const r = runCli(['embed', '--model', model, ...speech], { env: { ...process.env, SPEAKER_ID_BACKEND: 'wasm' } });
  assert.equal(r.code, 0, `speaker-id embed --model ${model}: ${r.stderr}`);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l).embedding);
}

function oneMinusCos(a, b) {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return 1 - ab / Math.sqrt(aa * bb);
}

function assertClose(fp32, int8, bound) {
  const a = embeddings(fp32), b = embeddings(int8);
  assert.equal(b.length, speech.length);
  const d = a.map((e, i) => oneMinusCos(e, b[i]));
  for (const [i, x] of d.entries()) assert.ok(x <= bound, `${speech[i]}: 1 - cos = ${x} > ${bound}`);
  // really quantized: an int8 graph that computed the fp32 embeddings bit for bit would be the fp32 graph
  assert.ok(d.some((x) => x > 1e-9), `int8 embeddings are identical to fp32 (max 1 - cos ${Math.max(...d)})`);
}

test('the shipped int8 model (compact-ecapa) is the int8 of the default fp32 export, byte for byte; it runs in ORT-web and keeps its embeddings', () => {
  assert.ok(speech.length >= 6, 'golden speech inputs missing');
  const { models } = JSON.parse(readFileSync(join(ROOT, 'models/manifest.json'), 'utf8'));
  const shipped = models.find((m) => m.id === 'compact-ecapa'), source = models.find((m) => m.default);
  assert.equal(source.id, 'compact-ecapa-fp32');
  assert.equal(shipped.precision, 'int8');
  assert.equal(shipped.quantized_from, source.onnx_sha256);
  const fp32 = join(ROOT, 'models', source.path);
  // models/quantize.py is deterministic: what ships is reproducible from the fp32 export with one command.
  const opt = join(tmp, 'compact-int8-ort.onnx');
  const o = quantize(fp32, opt, '--model-id', shipped.id, '--ort-optimize', 'extended');
  assert.equal(o.code, 0, o.stderr);
  assert.equal(o.report.sha256, shipped.onnx_sha256, 'the committed default is not quantize.py\'s output of the fp32 file');
  assert.ok(readFileSync(join(ROOT, 'models', shipped.path)).equals(readFileSync(opt)));
  const fused = opCounts(opt);
  assert.equal(fused.QLinearConv, o.report.static_convs, 'ORT\'s graph: one QLinearConv per quantized conv');
  assert.equal(fused.Relu ?? 0, 0, 'every Relu folded into its QLinearConv');
  // The QDQ graph itself (no --ort-optimize): its structure, and its embeddings against fp32.
  const out = join(tmp, 'compact-int8.onnx');
  const q = quantize(fp32, out);
  assert.equal(q.code, 0, q.stderr);
  assert.ok(q.report.static_convs >= 20, `only ${q.report.static_convs} convolutions quantized`);
  assert.equal(q.report.calibration.files, 40);
  const ops = opCounts(out);
  assert.equal(ops.QuantizeLinear, 2 * q.report.static_convs, 'one input and one output quantization per conv');
  assert.equal(ops.Conv, q.report.static_convs + q.report.weight_only_convs);
  assert.ok(statSync(out).size < 0.4 * statSync(fp32).size, `int8 file is ${statSync(out).size} bytes`);
  assertClose(fp32, out, 1e-3);
  // ORT's optimised graph computes what the QDQ graph does, bit for bit (the library skips re-optimising it on wasm).
  assert.deepEqual(embeddings(opt), embeddings(out));
});

test('Resemblyzer quantized dynamically (DynamicQuantizeLSTM, MatMulInteger) runs in ORT-web and keeps its embeddings', () => {
  const fp32 = join(ROOT, 'build/models/resemblyzer-golden.onnx');
  assert.ok(existsSync(fp32), `${fp32} missing: run .ci/setup (models/prepare-golden-models.sh)`);
  const out = join(tmp, 'resemblyzer-int8.onnx');
  const q = quantize(fp32, out);
  assert.equal(q.code, 0, q.stderr);
  const ops = opCounts(out);
  assert.equal(ops.DynamicQuantizeLSTM, 3);
  assert.equal(ops.LSTM, undefined);
  assert.equal(ops.MatMulInteger, 1);
  assertClose(fp32, out, 1e-4);
});

test('quantize.py refuses the evaluation set as calibration data and an already quantized model', () => {
  const list = join(tmp, 'list.txt');
  writeFileSync(list, `${speech.find((p) => p.includes('librispeech_test-other'))}\n`);
  const r = quantize(join(ROOT, 'models/compact/compact-ecapa-fp32.onnx'), join(tmp, 'x.onnx'), '--calibration', list);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /evaluation set is never used for calibration/);
  assert.ok(!existsSync(join(tmp, 'x.onnx')));
  const again = quantize(join(tmp, 'resemblyzer-int8.onnx'), join(tmp, 'y.onnx'));
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /already quantized/);
});
