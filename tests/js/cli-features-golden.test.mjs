// Golden parity of `speaker-id features` (the wasm build, through the CLI) with the upstream Python pipelines,
// for every developer file whose stages are in ../shared/golden (16 kHz mono: FLAC and WAV inputs).
// Tolerances from golden/README.md: VAD arrays and slices exact; preprocessed length exact, |d| <= 1e-6;
// Resemblyzer mel |d| <= 1e-5 * max|mel|; fbank and fbank_norm |d| <= 0.02 dB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { GOLDEN, goldenManifest, goldenInputPath, readNpy, runCli } from './helpers.mjs';

const entries = goldenManifest().files.filter((f) => f.resemblyzer?.arrays?.mel);
const out = mkdtempSync(join(tmpdir(), 'sid-features-'));
process.on('exit', () => rmSync(out, { recursive: true, force: true }));

function maxAbsDiff(a, b) {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
const maxAbs = (a) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

for (const frontend of ['resemblyzer', 'ecapa']) {
  test(`features --frontend ${frontend} matches upstream on ${entries.length} golden files`, () => {
    const dir = join(out, frontend);
    const r = runCli(['features', '--frontend', frontend, '--out', dir, ...entries.map(goldenInputPath)]);
    assert.equal(r.code, 0, r.stderr);
    for (const e of entries) {
      const mine = (name) => readNpy(join(dir, basename(e.input, extname(e.input)), `${name}.npy`));
      const gold = (name) => readNpy(join(GOLDEN, e[frontend].arrays[name].file));
      if (frontend === 'resemblyzer') {
        for (const name of ['vad_flags', 'vad_smoothed', 'vad_keep', 'slices']) {
          assert.deepEqual(mine(name).shape, gold(name).shape, `${e.id} ${name} shape`);
          assert.deepEqual(mine(name).data, gold(name).data, `${e.id} ${name} differs`);
        }
        for (const [name, tol] of [['raw', 0], ['preprocessed', 1e-6]]) {
          assert.deepEqual(mine(name).shape, gold(name).shape, `${e.id} ${name} shape`);
          const d = maxAbsDiff(mine(name).data, gold(name).data);
          assert.ok(d <= tol, `${e.id} ${name} max |d| = ${d} > ${tol}`);
        }
        const m = mine('mel'), g = gold('mel');
        assert.deepEqual(m.shape, g.shape, `${e.id} mel shape`);
        const rel = maxAbsDiff(m.data, g.data) / maxAbs(g.data);
        assert.ok(rel <= 1e-5, `${e.id} mel max |d| / max|mel| = ${rel}`);
      } else {
        for (const name of ['fbank', 'fbank_norm']) {
          const m = mine(name), g = gold(name);
          assert.deepEqual(m.shape, g.shape, `${e.id} ${name} shape`);
          const d = maxAbsDiff(m.data, g.data);
          assert.ok(d <= 0.02, `${e.id} ${name} max |d| = ${d} dB`);
        }
      }
    }
  });
}
