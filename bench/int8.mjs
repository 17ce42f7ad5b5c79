// fp32 vs int8 (models/quantize.py) in one process, ONNX Runtime Web wasm, 1 thread: model inference per 1 / 3 /
// 10 s clip, the two sessions interleaved sample by sample (a shared machine's load hits both alike; a sample is
// the median of back-to-back runs of one session filling ~60 ms: alternating the sessions run by run left 3 of 10
// processes at 2x on 1 s clips), each warmed up until stable at every clip (bench/warm-up.mjs); median, min and max
// of --reps. bench/run.mjs runs it in 3 fresh processes and takes the median of each figure over them
// (bench/process-median.mjs). Also the ONNX sizes, raw and gzip, and the first-visit download of the browser build
// (web/dist: module + core wasm + default model), gzip -9 and as served precompressed (web/dist/*.gz, zopfli:
// .ci/setup).
//   node bench/int8.mjs [--pair LABEL=FP32.onnx,INT8.onnx]... [--reps 11]
// Without --pair: the shipped int8 compact-ecapa (of models/compact/compact-ecapa-fp32.onnx, the default) against it,
// the first-conv-fp32 variant and the Resemblyzer golden export against int8 versions made in build/int8/ with
// models/quantize.py (named by the fp32 file's sha256, so a new model is quantized anew). Prints a table to stderr
// and the JSON as its last stdout line.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { loadCore } from '../web/src/core.mjs';
import { ModelFrontend } from '../web/src/frontends.mjs';
import { readOnnxInfo } from '../web/src/onnx-metadata.mjs';
import { createSession } from '../web/src/onnx-session.mjs';
import { clipWav } from './clips.mjs';
import { runsPerSample, warmUp } from './warm-up.mjs';

// ONNX Runtime Web's wasm, what browsers run, whatever Node would choose (#ort reads this at the first session).
process.env.SPEAKER_ID_BACKEND = 'wasm';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: {
  pair: { type: 'string', multiple: true }, reps: { type: 'string', default: '11' },
} });
const reps = Number(values.reps);
if (!(reps >= 1)) throw new Error('--reps must be a number >= 1');

function defaultPairs() {
  mkdirSync(`${ROOT}build/int8`, { recursive: true });
  const fp32 = `${ROOT}models/compact/compact-ecapa-fp32.onnx`, resemblyzer = `${ROOT}build/models/resemblyzer-golden.onnx`;
  for (const f of [fp32, resemblyzer]) {
    if (!existsSync(f)) throw new Error(`${f} missing (run .ci/setup, which exports the golden checkpoints)`);
  }
  const made = (path, extra) => {  // build/int8/<name>-<sha256 of the fp32>.onnx, quantized when missing
    const sha = createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 12);
    const out = `${ROOT}build/int8/${path.split('/').pop().replace(/\.onnx$/, '')}${extra.length ? '-firstfp32' : ''}-${sha}.onnx`;
    if (existsSync(out)) return out;
    const r = spawnSync('/usr/bin/python3', [`${ROOT}models/quantize.py`, path, out, '--check', 'none', ...extra],
      { encoding: 'utf8', cwd: ROOT });
    if (r.status !== 0) throw new Error(`quantizing ${path} failed:\n${r.stderr}`);
    return out;
  };
  return [
    ['compact-ecapa (int8)', fp32, `${ROOT}models/compact/compact-ecapa.onnx`],
    ['compact-ecapa, first conv fp32', fp32, made(fp32, ['--first-conv', 'fp32'])],
    ['resemblyzer (golden)', resemblyzer, made(resemblyzer, [])],
  ];
}
const pairs = values.pair ? values.pair.map((p) => {
  const m = /^([^=]+)=([^,]+),(.+)$/.exec(p);
  if (!m) throw new Error(`--pair ${p}: expected LABEL=FP32.onnx,INT8.onnx`);
  return [m[1], m[2], m[3]];
}) : defaultPairs();

const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
const stats = (t) => {
  const s = [...t].sort((a, b) => a - b);
  return { medianMs: s[Math.floor(s.length / 2)], minMs: s[0], maxMs: s[s.length - 1] };
};

const core = await loadCore();
const result = { reps, threads: 1, runtime: 'onnxruntime-web wasm (Node)', pairs: [] };
for (const [label, fp32Path, int8Path] of pairs) {
  const models = [fp32Path, int8Path].map((path) => {
    const bytes = readFileSync(path);
    const info = readOnnxInfo(bytes);
    return { path, bytes, family: info.metadata.family, input: info.inputs[0], output: info.outputs[0] };
  });
  const fe = new ModelFrontend(core, models[0].family);
  const sessions = [];
  for (const m of models) sessions.push(await createSession(m.bytes, { threads: 1 }));
  const feeds = Object.fromEntries([1, 3, 10].map((s) => [s, fe.run({ wav: new Uint8Array(clipWav(s, 16000)) }).modelInput]));
  const run = (k, s) => sessions[k].run({ [models[k].input]: feeds[s] });
  const rows = [];
  for (const [clip, seconds] of [1, 3, 10].entries()) {
    // Both together (a run of each, timed as a pair), since they share ORT's code and V8 tiers it up for both.
    const warmupRuns = await warmUp(async (n) => {
      const ms = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        for (const k of [0, 1]) await run(k, seconds);
        ms.push(performance.now() - t0);
      }
      return ms;
    }, clip === 0 ? 20 : 10);
    // A sample: the median of back-to-back runs of one session (bench/warm-up.mjs runsPerSample).
    const timed = async (k, n) => {
      const ms = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await run(k, seconds);
        ms.push(performance.now() - t0);
      }
      return stats(ms).medianMs;
    };
    const batch = [runsPerSample(await timed(0, 5)), runsPerSample(await timed(1, 5))];
    const t = [[], []];
    for (let i = 0; i < reps; i++) {
      for (const k of i % 2 ? [1, 0] : [0, 1]) t[k].push(await timed(k, batch[k]));  // alternate who's first
    }
    const [f, q] = t.map(stats);
    // paired: the median of each rep's int8/fp32 (the two ran back to back), steadier than a ratio of medians
    const paired = stats(t[1].map((x, i) => x / t[0][i])).medianMs;
    rows.push({ seconds, modelInput: feeds[seconds].shape, warmupRuns, runsPerSample: batch, fp32: f, int8: q, int8VsFp32: paired });
  }
  for (const s of sessions) await s.dispose();
  fe.dispose();
  result.pairs.push({
    label, fp32: fp32Path.replace(ROOT, ''), int8: int8Path.replace(ROOT, ''),
    size: { fp32Bytes: models[0].bytes.length, fp32Gzip: gz(models[0].bytes), int8Bytes: models[1].bytes.length,
      int8Gzip: gz(models[1].bytes) },
    rows,
  });
}

// First visit of the browser build: what a page downloads for the default setup (web/dist, built by .ci/setup: the
// module, the core's wasm and the fp32 default, which the core's own network runs: nothing of ONNX Runtime), gzip -9
// and as served from the precompressed web/dist/*.gz (zopfli; what `npm run demo` and a gzip_static server send);
// and what it is with the int8 compact-ecapa instead, which ONNX Runtime Web runs (its module and wasm too).
const dist = `${ROOT}web/dist/`;
const SETUPS = { default: ['speaker-id.js', 'speaker_id_core.wasm', 'compact-ecapa-fp32.onnx'],
  int8OnOrt: ['speaker-id.js', 'speaker_id_core.wasm', 'ort.wasm.bundle.min.mjs', 'ort-wasm-simd-threaded.wasm',
    'compact-ecapa.onnx'] };
const visit = (names) => {
  if (!names.every((f) => existsSync(dist + f))) return null;
  const files = Object.fromEntries(names.map((f) => [f, gz(readFileSync(dist + f))]));
  const v = { files, total: Object.values(files).reduce((a, b) => a + b, 0) };
  if (names.every((f) => existsSync(`${dist}${f}.gz`))) {
    const pre = Object.fromEntries(names.map((f) => [f, readFileSync(`${dist}${f}.gz`).length]));
    v.precompressed = { files: pre, total: Object.values(pre).reduce((a, b) => a + b, 0) };
  }
  return v;
};
const firstVisit = visit(SETUPS.default), int8Visit = visit(SETUPS.int8OnOrt);
if (firstVisit) result.firstVisitGzip = { ...firstVisit, withInt8OnOrt: int8Visit };

const f = (x) => x.toFixed(1).padStart(7);
for (const p of result.pairs) {
  console.error(`${p.label}: ONNX ${p.size.fp32Bytes} -> ${p.size.int8Bytes} bytes, gzip ${p.size.fp32Gzip} -> ${p.size.int8Gzip}`);
  console.error('  clip   fp32 median (min-max) ms      int8 median (min-max) ms     int8/fp32');
  for (const r of p.rows) {
    console.error(`  ${String(r.seconds).padStart(2)} s ${f(r.fp32.medianMs)} (${r.fp32.minMs.toFixed(1)}-${r.fp32.maxMs.toFixed(1)})` +
      `          ${f(r.int8.medianMs)} (${r.int8.minMs.toFixed(1)}-${r.int8.maxMs.toFixed(1)})         ${r.int8VsFp32.toFixed(2)}`);
  }
}
if (result.firstVisitGzip) {
  const v = result.firstVisitGzip;
  console.error(`first visit of the browser build: ${(v.total / 1e6).toFixed(2)} MB gzip -9` +
    (v.precompressed ? `, ${(v.precompressed.total / 1e6).toFixed(2)} MB as served (web/dist/*.gz)` : '') +
    (v.withInt8OnOrt ? ` (int8 compact-ecapa on ONNX Runtime Web: ${(v.withInt8OnOrt.total / 1e6).toFixed(2)} MB gzip -9` +
      `${v.withInt8OnOrt.precompressed ? `, ${(v.withInt8OnOrt.precompressed.total / 1e6).toFixed(2)} MB as served` : ''})` : ''));
}
console.log(JSON.stringify(result));
