// `speaker-id eval` on real speech: a folder per speaker at any depth, every pair scored, the counts add up, and
// the metrics agree with an independent recomputation from the embeddings that `embed` prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHARED, ROOT, runCli } from './helpers.mjs';
import { centroid, cosine, verificationMetrics } from '../../web/src/metrics.mjs';

const MODEL = `${ROOT}build/models/ecapa-small-golden.onnx`;
const dir = mkdtempSync(join(tmpdir(), 'sid-eval-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

// 4 LibriSpeech speakers x 5 recordings; one speaker's files one level deeper (any depth counts).
const src = `${SHARED}/audio/librispeech_test-other`;
const speakers = readdirSync(src).sort().slice(0, 4);
const files = {};
for (const [i, spk] of speakers.entries()) {
  const sub = i === 0 ? join(dir, spk, 'chapter', 'deeper') : join(dir, spk);
  mkdirSync(sub, { recursive: true });
  files[spk] = readdirSync(join(src, spk)).filter((f) => f.endsWith('.flac')).sort().slice(0, 5);
  for (const f of files[spk]) symlinkSync(join(src, spk, f), join(sub, f));
}
mkdirSync(join(dir, 'empty-speaker'));

test('eval --json: counts, and EER / top-1 equal a recomputation from embed output', () => {
  const r = runCli(['eval', '--json', '--enroll', '2', '--model', MODEL, dir]);
  assert.equal(r.code, 0, r.stderr);
  const m = JSON.parse(r.stdout);
  assert.equal(m.speakers, 4);
  assert.equal(m.utterances, 20);
  assert.equal(m.trials, 190);
  assert.equal(m.targetTrials, 4 * 10);
  assert.equal(m.top1Trials, 4 * 3);

  const emb = {};
  for (const spk of speakers) {
    const e = runCli(['embed', '--model', MODEL, ...files[spk].map((f) => join(src, spk, f))]);
    assert.equal(e.code, 0, e.stderr);
    emb[spk] = e.stdout.trim().split('\n').map((l) => JSON.parse(l).embedding);
  }
  const all = speakers.flatMap((s) => emb[s].map((e) => [s, e]));
  const t = [], n = [];
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) (all[i][0] === all[j][0] ? t : n).push(cosine(all[i][1], all[j][1]));
  }
  const v = verificationMetrics(t, n);
  assert.ok(Math.abs(v.eer - m.eer) < 1e-9, `eer ${m.eer} vs ${v.eer}`);
  assert.ok(Math.abs(v.minDcf - m.minDcf) < 1e-9);
  const cents = speakers.map((s) => centroid(emb[s].slice(0, 2)));
  let ok = 0;
  speakers.forEach((s, k) => emb[s].slice(2).forEach((e) => {
    const scores = cents.map((c) => cosine(e, c));
    ok += scores.indexOf(Math.max(...scores)) === k ? 1 : 0;
  }));
  assert.equal(m.top1, ok / 12);
});

test('eval: human-readable output names the metrics', () => {
  const r = runCli(['eval', '--model', MODEL, dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /EER\s+\d+\.\d+ %/);
  assert.match(r.stdout, /minDCF\s+\d/);
  assert.match(r.stdout, /top-1\s+\d+\.\d+ % \(8 recordings, 4 speakers, 3 enrolled each\)/);
});

test('eval: a folder without two speakers, or a missing folder, exits 2 with the reason', () => {
  const lonely = join(dir, speakers[1]);
  let r = runCli(['eval', '--model', MODEL, lonely]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /expected at least 2/);
  r = runCli(['eval', '--model', MODEL, join(dir, 'nope')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot read the data folder/);
});

test('an unusable recording is skipped with a warning naming it, the rest is evaluated; long runs show progress', async () => {
  const { writeFileSync } = await import('node:fs');
  const bad = join(dir, speakers[1], 'broken.flac');
  writeFileSync(bad, 'fLaC but not really');
  try {
    const r = runCli(['eval', '--json', '--enroll', '2', '--model', MODEL, dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`warning: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*\\(skipped\\)`));
    const m = JSON.parse(r.stdout);
    assert.deepEqual(m.skipped, [bad]);
    assert.equal(m.utterances, 20);
  } finally {
    rmSync(bad);
  }
  // 100 recordings: progress every 10 % on stderr, the results on stdout as before.
  const all = runCli(['eval', '--json', '--model', MODEL, src]);
  assert.equal(all.code, 0, all.stderr);
  const lines = all.stderr.trim().split('\n');
  assert.equal(lines.length, 10);
  assert.equal(lines.at(-1), 'speaker-id: eval: 100/100 recordings embedded');
  assert.equal(JSON.parse(all.stdout).utterances, 100);
});
