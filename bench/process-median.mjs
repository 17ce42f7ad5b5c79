// A benchmark part run in several fresh processes, merged into one result of the same shape: on a shared machine
// a process can land in a slow mode for its whole life (code placement, V8's tiering choices, a neighbour), which
// rounds inside one process cannot average out; the median over processes can (two consecutive `npm run bench`
// runs of one process each were up to 68 % apart on a ratio, bench/compare.mjs).
// Merge rule, leaf by leaf over results of one shape: minMs -> the smallest, maxMs -> the largest, n -> the sum,
// every other number (medians, ratios, counts) -> the median over processes; anything else -> the first's.
import { spawnSync } from 'node:child_process';

const medianOf = (xs) => {
  const s = [...xs].sort((a, b) => a - b), n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

export function mergeByMedian(results, key = '') {
  const first = results[0];
  if (typeof first === 'number') {
    const xs = results.filter((x) => typeof x === 'number');
    if (key === 'minMs') return Math.min(...xs);
    if (key === 'maxMs') return Math.max(...xs);
    if (key === 'n') return xs.reduce((a, b) => a + b, 0);
    return medianOf(xs);
  }
  if (Array.isArray(first)) return first.map((x, i) => mergeByMedian(results.map((r) => r?.[i]), key));
  if (first && typeof first === 'object') {
    return Object.fromEntries(Object.keys(first).map((k) => [k, mergeByMedian(results.map((r) => r?.[k]), k)]));
  }
  return first;
}

// Runs `node <script> ...args` `processes` times, one after another -> [last stdout line of each, parsed].
// Throws with the exit status when one fails (its stderr went to ours).
export function runInProcesses(script, args, processes) {
  const out = [];
  for (let i = 0; i < processes; i++) {
    const r = spawnSync(process.execPath, [script, ...args],
      { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] });
    if (r.status !== 0) throw new Error(`${script} failed (exit ${r.status})`);
    out.push(JSON.parse(r.stdout.trim().split('\n').pop()));
  }
  return out;
}

// Parts run in several processes take turns: passes, in each a share of every part's processes, as many passes as
// the fewest processes of a part, a part's count spread over them as evenly as it goes. The shared machine has slow
// phases minutes long (one 2-thread figure moved by 1.6x for minutes, the 1k-speaker match by 30 %): spread, a phase
// moves one process of each part rather than all of one part.
// { name: processes } -> [[ [name, processes in this pass], ... ], ...] (parts with 0 in a pass are left out).
export function spreadPlan(counts) {
  const passes = Math.min(...Object.values(counts));
  return Array.from({ length: passes }, (_, pass) => Object.entries(counts)
    .map(([name, n]) => [name, Math.round(((pass + 1) * n) / passes) - Math.round((pass * n) / passes)])
    .filter(([, n]) => n > 0));
}
