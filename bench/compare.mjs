// Do two `npm run bench` runs agree? Compares every ratio of two results.json files (every number whose key says
// it is one: wasmVsNative, wasmVsPytorch, int8VsFp32, jsVsWasm, ...; plus the 2-thread speedups bench/run.mjs
// derives) and lists those that differ by more than --tolerance (default 15 %).
//   node bench/compare.mjs A.json B.json [--tolerance 0.15]   (results.json files, or the JSON of bench/stages.mjs)
// Exit status 0 when every ratio agrees, 1 otherwise.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ options: { tolerance: { type: 'string', default: '0.15' } },
  allowPositionals: true });
if (positionals.length !== 2) {
  console.error('usage: node bench/compare.mjs A.json B.json [--tolerance 0.15]');
  process.exit(2);
}
const tolerance = Number(values.tolerance);
const [a, b] = positionals.map((f) => JSON.parse(readFileSync(f, 'utf8')));

// path -> ratio, for every key named *Vs* (and the speedup of 2 threads over 1 of each stages row).
function ratios(input) {
  const results = input.runs && !input.stages ? { stages: input } : input;  // bench/stages.mjs's own JSON
  const out = new Map();
  const walk = (node, path) => {
    if (Array.isArray(node)) {
      node.forEach((x, i) => walk(x, `${path}[${x?.label ?? x?.seconds ?? x?.speakers ?? x?.runtime ?? i}` +
        `${x?.threads ? `,${x.threads}t` : ''}${x?.concurrency ? `,c${x.concurrency}` : ''}]`));
    } else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (typeof v === 'number' && /Vs[A-Z]/.test(k)) out.set(`${path}.${k}`, v);
        else walk(v, `${path}.${k}`);
      }
    }
  };
  walk(results, '');
  for (const r1 of results.stages?.runs?.filter((r) => r.threads === 1) ?? []) {
    const r2 = results.stages.runs.find((r) => r.label === r1.label && r.threads === 2);
    for (const row of r2 ? r1.rows : []) {
      const row2 = r2.rows.find((r) => r.seconds === row.seconds);
      for (const [peer, s] of Object.entries(row.inference)) {
        if (!row2.inference[peer]) continue;  // a peer with one thread count only (the core's network)
        // paired per round where bench/stages.mjs gives it (row.speedup), else the ratio of the medians (older runs)
        out.set(`.stages[${r1.label}][${row.seconds} s].${peer}.speedup2Vs1Threads`,
          row2.speedup?.[peer] ?? s.medianMs / row2.inference[peer].medianMs);
      }
    }
  }
  return out;
}

const ra = ratios(a), rb = ratios(b);
let worst = 0, bad = 0, n = 0, badTwoThread = 0;
for (const [path, x] of ra) {
  if (!rb.has(path)) continue;
  const y = rb.get(path), d = Math.abs(y - x) / x;
  n += 1;
  worst = Math.max(worst, d);
  if (d > tolerance) {
    bad += 1;
    if (/,2t\]|speedup2Vs1Threads/.test(path)) badTwoThread += 1;
    console.log(`differs ${(100 * d).toFixed(1).padStart(5)} %  ${path}: ${x.toFixed(3)} vs ${y.toFixed(3)}`);
  }
}
console.log(`${n} ratios in both runs; ${bad} differ by more than ${(100 * tolerance).toFixed(0)} % (largest ` +
  `${(100 * worst).toFixed(1)} %)${bad ? `, ${badTwoThread} of them 2-thread figures` : ''}`);
process.exit(bad ? 1 : 0);
