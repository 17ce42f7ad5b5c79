// The bench's reports on the run the README's Benchmarks tables come from (bench/readme-run.json, a real
// `npm run bench` results.json): bench/markdown.mjs prints its figures, bench/compare.mjs finds a changed ratio.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH = fileURLToPath(new URL('../../bench/', import.meta.url));
const RUN = `${BENCH}readme-run.json`;
const node = (script, ...args) => spawnSync(process.execPath, [`${BENCH}${script}`, ...args], { encoding: 'utf8' });

test('markdown.mjs: the inference table holds every row of the run with its median, and the capacity probe', () => {
  const r = JSON.parse(readFileSync(RUN, 'utf8'));
  const out = node('markdown.mjs', RUN);
  assert.equal(out.status, 0, out.stderr);
  const rows = out.stdout.split('\n').filter((l) => /^\| (compact|resemblyzer|ecapa)/.test(l) && /\| \d+ s \|/.test(l));
  const expected = r.stages.runs.flatMap((run) => run.rows.map((row) => [run, row]));
  const inference = rows.filter((l) => /^\| [^|]+ \| [12] \|/.test(l));
  assert.equal(inference.length, expected.length);
  const [run, row] = expected[0];
  const wasm = row.inference.wasm.medianMs;
  assert.ok(inference[0].startsWith(`| ${run.label} | ${run.threads} | ${row.seconds} s |`), inference[0]);
  assert.ok(inference[0].includes(wasm >= 10 ? wasm.toFixed(1) : wasm.toFixed(2)), inference[0]);
  assert.match(out.stdout, /The machine's own 2-core capacity in the same run/);
});

test('compare.mjs: a run agrees with itself; a ratio moved by 20 % is listed and fails', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sid-compare-'));
  try {
    const same = node('compare.mjs', RUN, RUN);
    assert.equal(same.status, 0, same.stdout);
    assert.match(same.stdout, /^(\d+) ratios in both runs; 0 differ by more than 15 %/m);
    const r = JSON.parse(readFileSync(RUN, 'utf8'));
    const row = r.stages.runs.find((x) => x.threads === 1).rows[0];
    row.wasmVsNative *= 1.2;
    writeFileSync(join(dir, 'b.json'), JSON.stringify(r));
    const moved = node('compare.mjs', RUN, join(dir, 'b.json'));
    assert.equal(moved.status, 1);
    assert.match(moved.stdout, /differs +20\.0 % .*\.rows\[1,1t\]\.wasmVsNative/);
    assert.match(moved.stdout, /1 differ by more than 15 % .*, 0 of them 2-thread figures/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
