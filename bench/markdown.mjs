// The README's Benchmarks tables from one `npm run bench` run, as Markdown, so that every figure there comes from
// one results.json and none is copied by hand:
//   node bench/markdown.mjs [bench/results.json]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const file = process.argv[2] ?? fileURLToPath(new URL('results.json', import.meta.url));
const r = JSON.parse(readFileSync(file, 'utf8'));
const num = (x) => (x >= 1000 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const few = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const mmm = (x) => (x ? `${num(x.medianMs)} (${few(x.minMs)}-${few(x.maxMs)})` : '—');
const times = (x) => (x ? `${x.toFixed(2)}x` : '—');
const table = (head, rows) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`,
  ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
const out = [`<!-- node bench/markdown.mjs: ${r.date}, ${r.cpu}, ${r.cores} cores, Node ${r.node} -->`];

const st = r.stages;
const peers = Object.keys(st.peers);
out.push(`### Inference (ms; ${st.reps} rounds${st.processes ? ` x ${st.processes} processes` : ''})`, table(
  ['model', 'threads', 'clip', ...peers, 'wasm / native', 'wasm / pytorch', 'core / wasm', 'core / native'],
  st.runs.flatMap((run) => run.rows.map((row) => [run.label, run.threads, `${row.seconds} s`,
    ...peers.map((p) => mmm(row.inference[p])), times(row.wasmVsNative), times(row.wasmVsPytorch),
    times(row.coreVsWasm), times(row.coreVsNative)]))));

const speedRows = [];
for (const r1 of st.runs.filter((x) => x.threads === 1)) {
  const r2 = st.runs.find((x) => x.label === r1.label && x.threads === 2);
  for (const row of r2 ? r2.rows : []) {
    speedRows.push([r1.label, `${row.seconds} s`, ...peers.filter((p) => p !== 'core').map((p) => times(row.speedup?.[p]))]);
  }
}
if (speedRows.length) out.push('### 2 threads vs 1', table(['model', 'clip', ...peers.filter((p) => p !== 'core')], speedRows));
if (r.cpuCapacity) {
  const cap = (x) => x.bursts.map((b) => `${b.burstMs} ms bursts ${b.capacity.median.toFixed(2)}x ` +
    `(${b.capacity.min.toFixed(2)}-${b.capacity.max.toFixed(2)})`).join(', ');
  out.push(`The machine's own 2-core capacity in the same run (bench/cpu-capacity.mjs, 2.00x = two full cores): ` +
    `before the inference rounds ${cap(r.cpuCapacity.before)}; after them ${cap(r.cpuCapacity.after)}.`);
}

const cs = r.coldStart;
if (cs) {
  const b = Object.keys(cs.backends);
  const rows = [['**process start -> first embedding**', 'api', 'totalMs'], ['process start -> our first line', 'api', 'startMs'],
    ['import the package', 'api', 'importMs'], ['`SpeakerId.create()`', 'api', 'createMs'],
    ['first `embed()`', 'api', 'firstEmbedMs'], ['second `embed()`', 'api', 'secondEmbedMs'],
    ['phases: core wasm', 'phases', 'coreMs'], ['phases: model read + sha256 + parse', 'phases', 'modelMs'],
    ['phases: session', 'phases', 'sessionMs'], ['phases: first inference', 'phases', 'firstInferenceMs'],
    ['phases: second inference', 'phases', 'secondInferenceMs']];
  out.push(`### Cold start in Node (ms, ${cs.runs} processes per backend)`, table(['', ...b],
    rows.map(([label, kind, key]) => [label, ...b.map((x) => mmm(cs.backends[x][kind][key]))])));
}

const cb = r.coldStartBrowser;
if (cb) {
  const modes = Object.keys(cb.modes);
  const keys = [['**first embedding**', 'firstEmbeddingMs'], ['`speaker-id.js` loaded', 'moduleLoadedMs'],
    ['core wasm fetched', 'coreFetchedMs'], ['core wasm instantiated', 'coreReadyMs'], ['model fetched', 'modelFetchedMs'],
    ['model sha256 done', 'modelHashedMs'], ['ORT wasm instantiated', 'ortWasmReadyMs'],
    ['`SpeakerId.create()` resolved', 'createResolvedMs'], ['first `embed()`', 'firstEmbedMs'],
    ['second `embed()`', 'secondEmbedMs']].filter(([, k]) => modes.some((m) => cb.modes[m].phases[k]));
  out.push(`### Cold start in Chromium ${cb.chromium} (ms since navigation start, ${cb.runs} page loads per mode; ` +
    `backend ${cb.modes[modes[0]].backend}, threads ${cb.modes[modes[0]].threads})`,
  table(['', ...modes.map((m) => `${m} HTTP cache`)], [...keys.map(([label, k]) => [label, ...modes.map((m) => mmm(cb.modes[m].phases[k]))]),
    ['bytes transferred', ...modes.map((m) => String(cb.modes[m].bytes.total))]]));
}

const rest = [];
for (const m of r.match?.rows ?? []) {
  rest.push(`identify top-5, ${m.speakers} speakers: wasm ${num(m.identifyMs)} ms, plain JS ${num(m.jsIdentifyMs)} ms ` +
    `(${m.jsVsWasm.toFixed(1)}x); load ${num(m.loadMs)} ms`);
}
for (const f of r.frontend?.rows ?? []) rest.push(`audio -> model input, ${f.family} ${f.rate} Hz ${f.seconds} s: ${mmm(f)} ms`);
if (r.cli) rest.push(`CLI fresh process: \`speakers --store\` ${mmm(r.cli.speakers)} ms, \`--help\` ${mmm(r.cli.help)} ms`);
for (const s of r.stores?.rows ?? []) {
  rest.push(`file store, ${s.speakers} speakers: enroll ${mmm(s.enroll)}, rename ${mmm(s.rename)}, remove ` +
    `${mmm(s.remove)}, load ${mmm(s.load)} ms`);
}
for (const m of r.memory?.rows ?? []) rest.push(`peak RSS embedding ${m.seconds} s: ${(m.peakRssKb / 1024).toFixed(0)} MB`);
for (const t of r.timeline?.rows ?? []) {
  rest.push(`streaming: ${(100 * t.accuracy).toFixed(1)} % of ${t.speechSec.toFixed(0)} s right, new speaker after ` +
    `${t.medianDelaySec.toFixed(2)} s (median)`);
}
for (const h of r.http?.rows ?? []) {
  rest.push(h.error ? `HTTP ${h.runtime}: ${h.error}`
    : `HTTP identify ${h.runtime} c${h.concurrency}: ${h.perSecond.toFixed(1)}/s, p50 ${h.p50Ms.toFixed(1)} ms`);
}
for (const p of r.int8?.pairs ?? []) {
  rest.push(`int8 / fp32 ${p.label}: ${p.rows.map((x) => `${x.seconds} s ${x.int8VsFp32.toFixed(2)}`).join(', ')}; ` +
    `ONNX ${p.size.fp32Bytes} -> ${p.size.int8Bytes} B`);
}
if (r.int8?.firstVisitGzip) rest.push(`first visit, default model: ${r.int8.firstVisitGzip.total} B gzip -9`);
out.push('### The rest', rest.map((x) => `- ${x}`).join('\n'));
console.log(out.join('\n\n'));
