// Matching benchmark: identify (top-5) against 1k and 100k enrolled speakers in the wasm gallery (C++ SIMD cosine
// through Embind), next to a plain-JS scan of the same centroids in the same run (the reference: what an app
// would write without the core). Both warmed up until stable (bench/warm-up.mjs), then interleaved; prints one JSON
// line: per size, load time, identify ms (median of 15), the paired ratio.
import { loadCore } from '../web/src/core.mjs';
import { Gallery } from '../web/src/gallery.mjs';
import { seededRandom } from './seeded-random.mjs';
import { warmUp } from './warm-up.mjs';

const DIM = 192;
const core = await loadCore();
const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
const rand = seededRandom();  // the same data every run
const vec = () => Float32Array.from({ length: DIM }, rand);

function jsTopK(centroids, n, q, k) {
  let qn = 0;
  for (let i = 0; i < DIM; i++) qn += q[i] * q[i];
  qn = Math.sqrt(qn);
  const best = [];
  for (let s = 0; s < n; s++) {
    let d = 0;
    const o = s * DIM;
    for (let i = 0; i < DIM; i++) d += centroids[o + i] * q[i];
    d /= qn;
    if (best.length < k || d > best[best.length - 1][1]) {
      best.push([s, d]);
      best.sort((a, b) => b[1] - a[1]);
      if (best.length > k) best.pop();
    }
  }
  return best;
}

const rows = [];
for (const n of [1000, 100000]) {
  const g = new Gallery(core, { id: 'bench', sha256: '0'.repeat(64), dim: DIM });
  const centroids = new Float32Array(n * DIM);
  const speakers = [];
  for (let s = 0; s < n; s++) {
    const e = vec();
    let norm = 0;
    for (const v of e) norm += v * v;
    centroids.set(e.map((v) => v / Math.sqrt(norm)), s * DIM);
    speakers.push({ name: `speaker-${s}`, samples: [{ embedding: e, durationSec: 3, speechSec: 2, createdAt: 0 }] });
  }
  const t0 = performance.now();
  g.load(speakers);  // what a SpeakerId does with a store's load()
  const loadMs = performance.now() - t0;
  // One sample: `batch` queries (a 1k scan takes ~30 us, too short to time alone; a sample of ~5 ms is steadier),
  // the same queries on both sides.
  const batch = n > 10000 ? 5 : 200, reps = 15;
  const queries = Array.from({ length: batch }, vec);
  const time = (f) => {
    const t = performance.now();
    for (const q of queries) f(q);
    return (performance.now() - t) / batch;
  };
  const wasmOnce = (q) => g.identify(q, 5, 0.5), jsOnce = (q) => jsTopK(centroids, n, q, 5);
  const warmupRuns = {
    wasm: await warmUp(async (k) => Array.from({ length: k }, () => time(wasmOnce)), 10),
    js: await warmUp(async (k) => Array.from({ length: k }, () => time(jsOnce)), 20),  // until V8 has optimised it
  };
  for (const q of queries) {
    const a = wasmOnce(q), b = jsOnce(q);
    if (a.candidates[0].name !== `speaker-${b[0][0]}`) throw new Error(`wasm and JS disagree: ${JSON.stringify(a.candidates.slice(0, 2))} vs ${JSON.stringify(b.slice(0, 2))}`);
  }
  const wasm = [], js = [];
  for (let r = 0; r < reps; r++) {  // interleaved, alternating which goes first; the ratio paired per round
    if (r % 2) { js.push(time(jsOnce)); wasm.push(time(wasmOnce)); } else { wasm.push(time(wasmOnce)); js.push(time(jsOnce)); }
  }
  rows.push({ speakers: n, loadMs, warmupRuns, identifyMs: median(wasm), jsIdentifyMs: median(js),
    jsVsWasm: median(js.map((x, i) => x / wasm[i])) });
  g.dispose();
}
console.log(JSON.stringify({ dim: DIM, rows }));
