// The node side of models/quantize.py (Debian has no onnxruntime for Python). Two modes, JSON on the last line:
//   node models/int8-run.mjs ranges OBSERVE.onnx FILES.txt MAX_SECONDS
//     min/max of every graph output of OBSERVE.onnx (a copy of the model whose outputs are the tensors to
//     calibrate) over the audio files listed in FILES.txt, fed through the library's own front-end (decoder,
//     resampler, the family's features: what an application feeds the model); onnxruntime-node, fp32.
//   node models/int8-run.mjs compare FP32.onnx INT8.onnx FILES.txt
//     1 - cos between the two models' utterance embeddings of each file, both through the library's Embedder
//     (onnxruntime-web wasm, 1 thread: what users run); fails when ORT-web cannot create or run either graph.
//   node models/int8-run.mjs optimize MODEL.onnx OUT.onnx [LEVEL]
//     writes the graph as onnxruntime-node has optimised it at LEVEL (default 'all': to count the fused operators;
//     'extended': the hardware-independent fusions, which quantize.py --ort-optimize ships).
import { readFileSync } from 'node:fs';
import { decodeAudio } from '../web/src/audio-decode.mjs';
import { loadCore } from '../web/src/core.mjs';
import { Embedder } from '../web/src/embedder.mjs';
import { ModelFrontend } from '../web/src/frontends.mjs';
import { resolveModel } from '../web/src/model-registry.mjs';
import { readOnnxInfo } from '../web/src/onnx-metadata.mjs';

const [mode, ...args] = process.argv.slice(2);
const listFiles = (path) => readFileSync(path, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);

async function decode(core, file, maxSeconds = Infinity) {
  const d = await decodeAudio(core, readFileSync(file));
  const n = Math.min(d.interleaved.length, Math.round(maxSeconds * d.sampleRate) * d.channels);
  return { sampleRate: d.sampleRate, channels: d.channels, interleaved: d.interleaved.subarray(0, n) };
}

async function ranges([model, list, maxSeconds]) {
  const bytes = readFileSync(model);
  const info = readOnnxInfo(bytes);
  const family = info.metadata.family;
  const core = await loadCore();
  const fe = new ModelFrontend(core, family);
  const ortNode = (await import('onnxruntime-node')).default;
  const session = await ortNode.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const out = {};
  const t0 = performance.now();
  let frames = 0;
  for (const file of listFiles(list)) {
    const { modelInput } = fe.run(await decode(core, file, Number(maxSeconds)));
    frames += modelInput.shape[1];
    const r = await session.run({ [session.inputNames[0]]: new ortNode.Tensor('float32', modelInput.data, modelInput.shape) });
    for (const [name, t] of Object.entries(r)) {
      let lo = Infinity, hi = -Infinity;
      for (const v of t.data) { if (v < lo) lo = v; if (v > hi) hi = v; }
      const prev = out[name] ?? [Infinity, -Infinity];
      out[name] = [Math.min(prev[0], lo), Math.max(prev[1], hi)];
    }
  }
  return { ranges: out, frames, seconds: (performance.now() - t0) / 1000 };
}

function oneMinusCos(a, b) {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return 1 - ab / Math.sqrt(aa * bb);
}

async function compare([fp32, int8, list]) {
  // What browsers and edge workers run, also where onnxruntime-node is installed (it would be Node's default).
  process.env.SPEAKER_ID_BACKEND = 'wasm';
  const core = await loadCore();
  const embedders = [];
  for (const m of [fp32, int8]) embedders.push(await Embedder.create(core, await resolveModel(m), { threads: 1 }));
  const files = [];
  for (const file of listFiles(list)) {
    const audio = await decode(core, file);
    const e = [];
    for (const emb of embedders) e.push((await emb.embed(audio)).embedding);
    files.push({ file, oneMinusCos: oneMinusCos(e[0], e[1]) });
  }
  for (const e of embedders) await e.dispose();
  const v = files.map((f) => f.oneMinusCos).sort((x, y) => x - y);
  const { loadOrt } = await import('#ort');
  const { ort, backend } = await loadOrt();
  if (backend !== 'wasm') throw new Error(`compare ran on ${backend}, not onnxruntime-web wasm`);
  return {
    files, median: v[Math.floor(v.length / 2)], max: v[v.length - 1],
    runtime: `onnxruntime-web ${ort.env.versions?.web ?? ''} wasm, 1 thread`.replace('  ', ' '),
  };
}

// The graph after ONNX Runtime's optimisations (onnxruntime-node, the CPU execution provider that the wasm build
// also is), saved for inspection: which QDQ units became QLinearConv and friends.
async function optimize([model, out, level = 'all']) {
  const ortNode = (await import('onnxruntime-node')).default;
  const s = await ortNode.InferenceSession.create(readFileSync(model), { graphOptimizationLevel: level, optimizedModelFilePath: out });
  await s.release();
  return { out, level, ort: ortNode.env?.versions?.common ?? null };
}

const modes = { ranges, compare, optimize };
if (!modes[mode]) {
  console.error('usage: node models/int8-run.mjs ranges OBSERVE.onnx FILES.txt MAX_SECONDS\n' +
    '       node models/int8-run.mjs compare FP32.onnx INT8.onnx FILES.txt\n' +
    '       node models/int8-run.mjs optimize MODEL.onnx OUT.onnx [LEVEL]');
  process.exit(2);
}
console.log(JSON.stringify(await modes[mode](args)));
