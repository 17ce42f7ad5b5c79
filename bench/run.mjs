// npm run bench: per-stage timings for 1, 3, 10 s clips, both families (full-size ECAPA), 1 and 2 threads, with
// onnxruntime-node (native) on the same ONNX in the same run, identification against 1k / 100k enrolled
// speakers (bench/match.mjs), audio -> model input (bench/frontend.mjs), file store mutations at 100 / 10k /
// 100k speakers (bench/stores.mjs), CLI start-up (bench/cli.mjs), cold start to the first embedding on each
// backend (bench/cold-start.mjs) and in a Chromium page (bench/cold-start-browser.mjs), peak memory against
// recording length (bench/memory.mjs), the HTTP API under load on each runtime (bench/http-load.mjs), fp32 vs int8
// models (bench/int8.mjs); prints tables and writes bench/results.json.
// Benchmarks, not tests: numbers are noisy, compare the ratios.
import { existsSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { mergeByMedian, runInProcesses, spreadPlan } from './process-median.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MODELS = [
  ['compact int8 (default)', `${ROOT}models/compact/compact-ecapa.onnx`],
  ['compact fp32', `${ROOT}models/compact/compact-ecapa-fp32.onnx`],
  ['resemblyzer', `${ROOT}build/models/resemblyzer-golden.onnx`],
  ['ecapa (full)', `${ROOT}build/models/ecapa-full-recipe.onnx`],
];

// Runs bench/<script> in `processes` fresh processes -> their last stdout lines, parsed (exits the bench when one
// fails).
function runs(script, what, args, processes) {
  try {
    return runInProcesses(`${ROOT}bench/${script}`, args, processes);
  } catch (err) {
    console.error(`bench: ${what} failed (${err.message})`);
    process.exit(1);
  }
}
// ... merged by the median over processes (bench/process-median.mjs).
const merged = (results) => (results.length > 1 ? { ...mergeByMedian(results), processes: results.length }
  : results[0]);
const part = (script, what, args = [], processes = 1) => merged(runs(script, what, args, processes));
// The parts run in several fresh processes take turns (bench/process-median.mjs spreadPlan), so that a part's
// processes are spread over the run rather than back to back. specs: { name: [script, what, processes] } ->
// { name: merged result }.
function spreadParts(specs) {
  const out = Object.fromEntries(Object.keys(specs).map((k) => [k, []]));
  const plan = spreadPlan(Object.fromEntries(Object.entries(specs).map(([k, [, , n]]) => [k, n])));
  for (const pass of plan) {
    for (const [name, n] of pass) out[name].push(...runs(specs[name][0], specs[name][1], [], n));
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, merged(v)]));
}
// The parts whose ratios vary by process (code placement, tiering, the 2-thread rows on a shared 2-core machine):
// the median over this many fresh processes (two consecutive runs of one process each were up to 68 % apart).
const PROCESSES = 3;
// Matching is memory-bound (a 100k scan reads 77 MB) and its per-process figure moved by up to 25 % between fresh
// processes (where the gallery's pages land); each process takes ~10 s, so more of them.
const MATCH_PROCESSES = 5;

const results = { date: new Date().toISOString(), cpu: cpus()[0]?.model, cores: cpus().length, node: process.version };
for (const [, onnx] of MODELS) {
  if (!existsSync(onnx)) {
    console.error(`bench: ${onnx} missing (run .ci/setup, which exports the golden checkpoints)`);
    process.exit(1);
  }
}

// Inference against its peers (interleaved, warm-up until stable, separate processes: bench/stages.mjs), with the
// machine's own 2-core capacity just before and after (bench/cpu-capacity.mjs): what the 2-thread rows can show.
// Matching and fp32 vs int8 take their turns between the inference processes (spreadParts).
const capacityBefore = part('cpu-capacity.mjs', 'cpu capacity');
const spread = spreadParts({ stages: ['stages.mjs', 'stages', PROCESSES], match: ['match.mjs', 'matching', MATCH_PROCESSES],
  int8: ['int8.mjs', 'int8', PROCESSES] });
results.stages = spread.stages;
results.cpuCapacity = { before: capacityBefore, after: part('cpu-capacity.mjs', 'cpu capacity') };
const f = (x) => (x < 10 ? x.toFixed(2) : x.toFixed(1)).padStart(8);
const mmm = (x) => `${f(x.medianMs)} (${x.minMs < 10 ? x.minMs.toFixed(1) : x.minMs.toFixed(0)}-` +
  `${x.maxMs < 10 ? x.maxMs.toFixed(1) : x.maxMs.toFixed(0)})`;
const st = results.stages;
const peerNames = Object.keys(st.peers);
const cell = (x) => (x ? mmm(x) : `${'-'.padStart(8)}`).padEnd(22);  // '-': a peer that does not run this model
const ratio = (x, width) => (x ? `${x.toFixed(2)}x` : '').padStart(width);
console.log(`${'inference (ms)'.padEnd(22)} thr  clip ${peerNames.map((p) => p.padEnd(22)).join('')}wasm/native wasm/pytorch` +
  '  core/wasm core/native  warm-up runs');
for (const run of st.runs) {
  for (const row of run.rows) {
    console.log(`${run.label.padEnd(22)} ${String(run.threads).padStart(3)} ${String(row.seconds).padStart(4)} s` +
      `${peerNames.map((p) => cell(row.inference[p])).join('')}` +
      `${ratio(row.wasmVsNative, 11)}${ratio(row.wasmVsPytorch, 13)}${ratio(row.coreVsWasm, 11)}${ratio(row.coreVsNative, 12)}  ` +
      `${peerNames.map((p) => row.warmupRuns[p] ?? '-').join('/')}`);
  }
}
const py = st.peers.pytorch;
console.log(`(median (min-max) of ${st.reps} interleaved rounds after warm-up until stable, a round's sample the ` +
  `median of back-to-back runs filling ~${st.sampleMs} ms, ratios the median of the ` +
  `per-round ratios; each peer at each thread count a process of its own, all in the same rounds, ` +
  `${st.processes ? `every figure the median over ${st.processes} such sets of fresh processes (min, max: over all), ` : ''}` +
  `${st.gapMs} ms idle before each measurement; core = the core's own network (one thread), wasm = onnxruntime-web ` +
  'as the library runs it, native = ' +
  `onnxruntime-node${py ? `, pytorch = the Python service's path: torch ${py.torch} on ${py.blas.join(' + ')}` +
  `${py.malloc ? ` (glibc malloc thresholds pinned: ${Object.entries(py.malloc).map(([k, v]) => `${k}=${v}`).join(' ')})` : ''}` : ''})`);
const threadRows = st.runs.filter((r) => r.threads === 1).map((r1) => [r1, st.runs.find((r) => r.label === r1.label && r.threads === 2)])
  .filter(([, r2]) => r2);
if (threadRows.length) {
  console.log('\n2 threads vs 1, speedup   clip ' + peerNames.map((p) => p.padEnd(8)).join('') + ' (paired per round)');
  for (const [r1, r2] of threadRows) {
    for (const row of r1.rows) {
      const row2 = r2.rows.find((r) => r.seconds === row.seconds);
      console.log(`${r1.label.padEnd(24)} ${String(row.seconds).padStart(4)} s ` +
        peerNames.map((p) => (row2.speedup?.[p] ? `${row2.speedup[p].toFixed(2)}x` : '-').padEnd(8)).join(''));
    }
  }
}

const cap = (x) => x.bursts.map((b) => `${b.burstMs} ms ${b.capacity.median.toFixed(2)}x (${b.capacity.min.toFixed(2)}-` +
  `${b.capacity.max.toFixed(2)})`).join(', ');
console.log(`machine's 2-core capacity (2 x a lone burst / two at once, median (min-max) of ${capacityBefore.rounds} ` +
  `rounds per burst length): before ${cap(results.cpuCapacity.before)}; after ${cap(results.cpuCapacity.after)}`);

// Matching: the wasm gallery against a plain-JS scan of the same centroids.
results.match = spread.match;
console.log('\nidentify top-5   speakers   load(ms)  wasm(ms)  plain JS(ms)  JS/wasm');
for (const r of results.match.rows) {
  console.log(`${''.padEnd(16)} ${String(r.speakers).padStart(9)} ${f(r.loadMs)}  ${f(r.identifyMs)}  ${f(r.jsIdentifyMs)}    ` +
    `${r.jsVsWasm.toFixed(1).padStart(5)}x`);
}
// Audio -> model input: WAV bytes through the core's front-end in one call (decode ... features, with quality).
results.frontend = part('frontend.mjs', 'front-end');
console.log('\naudio -> model input   rate  clip   median(ms)   min(ms)   max(ms)');
for (const r of results.frontend.rows) {
  console.log(`${r.family.padEnd(20)} ${String(r.rate).padStart(6)} ${String(r.seconds).padStart(4)} s ${f(r.medianMs)}  ` +
    `${f(r.minMs)}  ${f(r.maxMs)}`);
}

// CLI start-up: fresh processes of a store command without inference, and of --help.
results.cli = part('cli.mjs', 'cli start-up');
console.log(`\ncli, fresh process (${results.cli.runs} runs)    median(ms)   min(ms)   max(ms)`);
const cliRows = [['speaker-id speakers --store DIR', results.cli.speakers], ['speaker-id --help', results.cli.help]];
for (const [label, r] of cliRows) {
  console.log(`${label.padEnd(32)} ${f(r.medianMs)}  ${f(r.minMs)}  ${f(r.maxMs)}`);
}

// Cold start: fresh processes to the first embedding with the default model, on each backend (bench/cold-start.mjs).
results.coldStart = part('cold-start.mjs', 'cold start');
const c = (x) => (x ? `${f(x.medianMs)} (${x.minMs.toFixed(0)}-${x.maxMs.toFixed(0)})` : '-'.padStart(8)).padEnd(22);
const coldBackends = Object.keys(results.coldStart.backends);
console.log(`\n${'cold start, fresh process'.padEnd(31)}${coldBackends.map((b) => `${b}(ms)`.padEnd(22)).join('')}`);
for (const [label, kind, key] of [['process start -> first embed', 'api', 'totalMs'], ['  SpeakerId.create()', 'api', 'createMs'],
  ['  first embed', 'api', 'firstEmbedMs'], ['  second embed', 'api', 'secondEmbedMs'], ['core wasm load', 'phases', 'coreMs'],
  ['model read + sha256 + parse', 'phases', 'modelMs'], ['session (ORT or the core net)', 'phases', 'sessionMs'],
  ['first inference', 'phases', 'firstInferenceMs']]) {
  console.log(`${label.padEnd(31)}${coldBackends.map((b) => c(results.coldStart.backends[b][kind][key])).join('')}`);
}
console.log(`(median (min-max) of ${results.coldStart.runs} fresh processes each; default model, 3 s WAV; bench/cold-start.mjs ` +
  'prints every phase)');

// Cold start in Chromium: navigation to the first embedding, warm and cold HTTP cache (bench/cold-start-browser.mjs).
results.coldStartBrowser = part('cold-start-browser.mjs', 'cold start in Chromium');
const browserModes = Object.keys(results.coldStartBrowser.modes);
console.log(`\n${'cold start, Chromium page'.padEnd(31)}${browserModes.map((m) => `${m} cache(ms)`.padEnd(22)).join('')}`);
for (const [label, key] of [['navigation -> first embedding', 'firstEmbeddingMs'], ['  speaker-id.js loaded', 'moduleLoadedMs'],
  ['  core wasm instantiated', 'coreReadyMs'], ['  model sha256 done', 'modelHashedMs'],
  ['  ORT wasm instantiated', 'ortWasmReadyMs'], ['  SpeakerId.create() resolved', 'createResolvedMs'],
  ['first embed', 'firstEmbedMs'], ['second embed', 'secondEmbedMs']]) {
  // A phase that did not happen (ORT's, when the core's network runs the model) has no row.
  if (browserModes.every((m) => !results.coldStartBrowser.modes[m].phases[key])) continue;
  console.log(`${label.padEnd(31)}${browserModes.map((m) => c(results.coldStartBrowser.modes[m].phases[key])).join('')}`);
}
console.log(`${'bytes transferred'.padEnd(31)}${browserModes.map((m) => String(results.coldStartBrowser.modes[m].bytes.total).padEnd(22)).join('')}`);
console.log(`(median (min-max) of ${results.coldStartBrowser.runs} page loads each, ms since navigation start; crossOriginIsolated ` +
  `${results.coldStartBrowser.modes[browserModes[0]].crossOriginIsolated}, backend ` +
  `${results.coldStartBrowser.modes[browserModes[0]].backend}, threads ` +
  `${results.coldStartBrowser.modes[browserModes[0]].threads}; bench/cold-start-browser.mjs prints every phase)`);

// The file store: one committed mutation, and load(), against the size of the store.
results.stores = part('stores.mjs', 'stores');
const t = (x) => `${f(x.medianMs)} (${x.minMs.toFixed(1)}-${x.maxMs.toFixed(1)})`.padEnd(24);
console.log('\nfile store  speakers      MB  enroll(ms)              rename(ms)              remove(ms)              load(ms)');
for (const r of results.stores.rows) {
  console.log(`${''.padEnd(10)} ${String(r.speakers).padStart(9)} ${(r.fileBytes / 2 ** 20).toFixed(1).padStart(7)}` +
    `${t(r.enroll)}${t(r.rename)}${t(r.remove)}${t(r.load)}`);
}
console.log(`(median (min-max) of ${results.stores.reps}; enroll = ${results.stores.samplesPerSpeaker} samples of dim ` +
  `${results.stores.dim} for a new speaker; every mutation fsynced)`);
// Peak memory against recording length (fresh process per length).
results.memory = part('memory.mjs', 'memory');
console.log('\nembed one recording   length   file(MB)  peak RSS(MB)  embed(s)');
for (const r of results.memory.rows) {
  const len = r.seconds >= 60 ? `${r.seconds / 60} min` : `${r.seconds} s`;
  console.log(`${''.padEnd(20)} ${len.padStart(7)} ${(r.fileBytes / 2 ** 20).toFixed(1).padStart(10)} ` +
    `${(r.peakRssKb / 1024).toFixed(0).padStart(13)} ` +
    `${(r.embedMs / 1000).toFixed(1).padStart(9)}`);
}
console.log('(16 kHz mono WAV of speech, default model and threads; the peak includes the file read into memory)');
// Streaming identification on assembled conversations, the default setting (bench/timeline.mjs without --quick
// compares window / hop settings).
results.timeline = part('timeline.mjs', 'timeline', ['--quick']);
for (const r of results.timeline.rows) {
  console.log(`\nstreaming, window ${r.windowSec} s, hop ${r.hopSec} s: ${(100 * r.accuracy).toFixed(1)} % of ` +
    `${r.speechSec.toFixed(0)} s of speech right; a new speaker is labelled after ${r.medianDelaySec.toFixed(2)} s ` +
    `(median, max ${r.maxDelaySec.toFixed(2)} s); ${r.realTimeFactor.toFixed(2)} x real time`);
}
// The HTTP API under load: identify at concurrency 1, 4, 16 on each runtime (bench/http-load.mjs).
results.http = part('http-load.mjs', 'http load');
console.log('\nHTTP identify   runtime      concurrency  identify/s   p50(ms)   p95(ms)');
for (const r of results.http.rows) {
  if (r.error) console.log(`${''.padEnd(15)} ${r.runtime.padEnd(12)} (${r.error})`);
  else {
    console.log(`${''.padEnd(15)} ${r.runtime.padEnd(12)} ${String(r.concurrency).padStart(11)} ${r.perSecond.toFixed(1).padStart(11)} ` +
      `${r.p50Ms.toFixed(1).padStart(9)} ${r.p95Ms.toFixed(1).padStart(9)}`);
  }
}
console.log('(3 s WAV probe uploaded as multipart, 3 enrolled speakers, each runtime started fresh on 127.0.0.1)');
// fp32 vs int8 (models/quantize.py; the int8 files are made in build/int8/ when missing), interleaved in one process.
results.int8 = spread.int8;
console.log('\nint8 vs fp32 (wasm, 1 thread)       clip   fp32 median (min-max) ms   int8 median (min-max) ms   int8/fp32');
for (const p of results.int8.pairs) {
  for (const r of p.rows) {
    const c = (x) => `${f(x.medianMs)} (${x.minMs.toFixed(1)}-${x.maxMs.toFixed(1)})`.padEnd(27);
    console.log(`${p.label.padEnd(34)} ${String(r.seconds).padStart(4)} s ${c(r.fp32)}${c(r.int8)}${r.int8VsFp32.toFixed(2).padStart(6)}`);
  }
  console.log(`${''.padEnd(34)} ONNX ${p.size.fp32Bytes} -> ${p.size.int8Bytes} bytes, gzip ${p.size.fp32Gzip} -> ${p.size.int8Gzip}`);
}
if (results.int8.firstVisitGzip) {
  const v = results.int8.firstVisitGzip;
  console.log(`(median (min-max) of ${results.int8.reps} after warm-up until stable` +
    `${results.int8.processes ? `, the median over ${results.int8.processes} fresh processes` : ''}; first visit of the browser ` +
    `build (default model): ${(v.total / 1e6).toFixed(2)} MB gzip -9` +
    (v.precompressed ? `, ${(v.precompressed.total / 1e6).toFixed(2)} MB as served precompressed (web/dist/*.gz)` : '') +
    (v.withInt8OnOrt ? `; with the int8 compact-ecapa on ONNX Runtime Web instead: ${(v.withInt8OnOrt.total / 1e6).toFixed(2)} MB ` +
      `gzip -9` : '') + ')');
}
writeFileSync(`${ROOT}bench/results.json`, JSON.stringify(results, null, 2) + '\n');
console.log('written bench/results.json');
