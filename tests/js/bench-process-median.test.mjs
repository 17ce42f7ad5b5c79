// bench/process-median.mjs: several processes' results of one shape merged leaf by leaf (what `npm run bench`
// reports for its stages, matching and int8 parts), and a real part run in fresh processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { mergeByMedian, runInProcesses, spreadPlan } from '../../bench/process-median.mjs';

test('numbers -> the median over processes; minMs / maxMs / n -> min / max / sum; the rest -> the first', () => {
  const a = { label: 'x', rows: [{ seconds: 1, wasmVsNative: 3.7, inference: { wasm: { medianMs: 34, minMs: 30, maxMs: 40, n: 9 } } }] };
  const b = { label: 'y', rows: [{ seconds: 1, wasmVsNative: 5.5, inference: { wasm: { medianMs: 69, minMs: 60, maxMs: 90, n: 9 } } }] };
  const c = { label: 'z', rows: [{ seconds: 1, wasmVsNative: 3.9, inference: { wasm: { medianMs: 35, minMs: 29, maxMs: 41, n: 9 } } }] };
  const m = mergeByMedian([a, b, c]);
  assert.equal(m.label, 'x');
  assert.equal(m.rows[0].seconds, 1);
  assert.equal(m.rows[0].wasmVsNative, 3.9);  // the slow-mode process (5.5) does not move it
  assert.deepEqual(m.rows[0].inference.wasm, { medianMs: 35, minMs: 29, maxMs: 90, n: 27 });
  assert.equal(mergeByMedian([{ r: 1 }, { r: 4 }]).r, 2.5);  // even count: the mean of the middle two
});

test('a part whose process fails is an error naming the script and its exit status', () => {
  const script = fileURLToPath(new URL('../../bench/stages.mjs', import.meta.url));
  assert.throws(() => runInProcesses(script, ['--reps', '3'], 2), /stages\.mjs failed \(exit 1\)/);
});

test('a real part (bench/match.mjs) in 2 fresh processes merges to one result of its shape', () => {
  const script = fileURLToPath(new URL('../../bench/match.mjs', import.meta.url));
  const runs = runInProcesses(script, [], 2);
  assert.equal(runs.length, 2);
  const m = mergeByMedian(runs);
  assert.deepEqual(m.rows.map((r) => r.speakers), [1000, 100000]);
  for (const [i, r] of m.rows.entries()) {
    const xs = runs.map((x) => x.rows[i].jsVsWasm);
    assert.ok(Math.abs(r.jsVsWasm - (xs[0] + xs[1]) / 2) < 1e-12);  // tests don't time: only how it merges
  }
});

test('parts in several processes take turns: every process once, spread over as many passes as the fewest', () => {
  const plan = spreadPlan({ stages: 3, match: 5, int8: 3 });
  assert.deepEqual(plan, [
    [['stages', 1], ['match', 2], ['int8', 1]],
    [['stages', 1], ['match', 1], ['int8', 1]],
    [['stages', 1], ['match', 2], ['int8', 1]],
  ]);
  assert.deepEqual(spreadPlan({ a: 1, b: 2 }), [[['a', 1], ['b', 2]]]);  // one pass: all back to back, as before
});
