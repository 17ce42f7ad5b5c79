// One benchmark process: per-stage milliseconds for one model family at one thread count, printed as JSON.
// ORT's thread count is fixed per process once its wasm is initialised, hence one process per configuration.
//   node bench/stages.mjs --onnx FILE --threads N [--reps R]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadCore } from '../web/src/core.mjs';
import { decodeAudio } from '../web/src/audio-decode.mjs';
import { ModelFrontend } from '../web/src/frontends.mjs';
import { resolveModel } from '../web/src/model-registry.mjs';
import { createSession } from '../web/src/onnx-session.mjs';
import { clipWav } from './clips.mjs';

const { values } = parseArgs({ options: {
  onnx: { type: 'string' }, threads: { type: 'string', default: '1' }, reps: { type: 'string', default: '5' },
} });
const threads = Number(values.threads), reps = Number(values.reps);
// createSession is the wasm peer here (onnxruntime-node is measured beside it below), whatever Node would choose.
// #ort reads the variable when the first session is created, after this line.
process.env.SPEAKER_ID_BACKEND = 'wasm';

function median(fn, n = reps) {
  const times = [];
  let last;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    last = fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], last };
}
async function medianAsync(fn, n = reps) {
  const times = [];
  let last;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    last = await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], last };
}

const t0 = performance.now();
const core = await loadCore();
const t1 = performance.now();
const model = await resolveModel(values.onnx);
const session = await createSession(model.bytes, { threads });
const t2 = performance.now();

// onnxruntime-node (native) on the same ONNX, same thread count: the reference of the ratios.
const ortNode = (await import('onnxruntime-node')).default ?? await import('onnxruntime-node');
const nativeSession = await ortNode.InferenceSession.create(model.bytes, {
  intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all',
});

const fe = new ModelFrontend(core, model.family);
const rows = [];
for (const seconds of [1, 3, 10]) {
  const wav44 = clipWav(seconds, 44100);
  const wav16 = clipWav(seconds, 16000);
  const decode = await medianAsync(() => decodeAudio(core, wav16));
  // The front-end from WAV bytes in one call, from 16 kHz and from 44.1 kHz (which includes resampling).
  const features = median(() => fe.run({ wav: new Uint8Array(wav16) }));
  const features44 = median(() => fe.run({ wav: new Uint8Array(wav44) }));
  const { data, shape } = features.last.modelInput;
  await session.run({ [model.inputName]: { data, shape } });  // warm-up
  const inference = await medianAsync(() => session.run({ [model.inputName]: { data, shape } }));
  const feeds = { [model.inputName]: new ortNode.Tensor('float32', data, shape) };
  await nativeSession.run(feeds);
  const native = await medianAsync(() => nativeSession.run(feeds));
  const out = inference.last[model.outputName].data;
  const pool = median(() => fe.pool(out, out.length / fe.spec.embeddingDim));
  rows.push({
    family: model.family, seconds, threads, decodeMs: decode.ms, features44kMs: features44.ms,
    featuresMs: features.ms, inferenceMs: inference.ms, nativeInferenceMs: native.ms,
    wasmVsNative: inference.ms / native.ms, poolingMs: pool.ms, modelInput: shape,
  });
}
console.log(JSON.stringify({ coldStart: { coreMs: t1 - t0, modelAndSessionMs: t2 - t1 }, rows }));
await session.dispose();
