// How much of a second core this machine gives, measured the way a 2-thread inference uses it: two workers run
// the same pure-arithmetic burst (no shared memory, no allocation) at once, against one alone; capacity =
// 2 x a lone burst's time / the pair's, per round (2.00x: two full cores). Short bursts are what a 2-thread run of
// a 1-3 s clip is made of (ONNX Runtime splits each operator across its threads); on a shared VM a vCPU that is
// idle between bursts may not be back in time, so this figure, in the same run, says how far the 2-thread speedups
// can be trusted.
//   node bench/cpu-capacity.mjs [--rounds 21]
// Prints, as its last stdout line, JSON: { rounds, bursts: [{ burstMs, capacity: { median, min, max } }] }.
import { Worker } from 'node:worker_threads';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '21' } } });
const rounds = Number(values.rounds);
const code = `const { parentPort } = require('node:worker_threads');
const a = new Float64Array(4096).fill(1.0001);
parentPort.on('message', (n) => { let x = 0; const t = performance.now();
  for (let i = 0; i < n; i++) for (let j = 0; j < 4096; j++) x += a[j] * a[(j * 7) & 4095];
  parentPort.postMessage({ ms: performance.now() - t, x }); });`;
const workers = [new Worker(code, { eval: true }), new Worker(code, { eval: true })];
const burst = (w, n) => new Promise((resolve) => { w.once('message', (m) => resolve(m.ms)); w.postMessage(n); });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[(s.length - 1) >> 1]; };

// Iterations per ms, after both workers' code is hot.
for (const w of workers) for (let i = 0; i < 5; i++) await burst(w, 2000);
const perMs = 2000 / median(await Promise.all([0, 1, 2].map(() => burst(workers[0], 2000))));

const bursts = [];
for (const burstMs of [5, 15, 80]) {
  const n = Math.max(1, Math.round(perMs * burstMs));
  const capacity = [];
  for (let i = 0; i < rounds; i++) {
    await sleep(50);  // the bench's gap before each measurement (bench/stages.mjs GAP_MS)
    // Lone and paired bursts back to back, in an order that alternates: the first after the gap pays any wake-up.
    const lone = () => burst(workers[i % 2], n);
    const pair = async () => { const t = performance.now(); await Promise.all(workers.map((w) => burst(w, n)));
      return performance.now() - t; };
    const [alone, together] = i % 2 ? [await lone(), await pair()] : (([p, l]) => [l, p])([await pair(), await lone()]);
    capacity.push((2 * alone) / together);
  }
  bursts.push({ burstMs, capacity: { median: median(capacity), min: Math.min(...capacity), max: Math.max(...capacity) } });
}
for (const w of workers) await w.terminate();
console.log(JSON.stringify({ rounds, bursts }));
