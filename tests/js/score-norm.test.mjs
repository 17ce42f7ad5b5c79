// Cohort score normalisation (web/src/score-norm.mjs) on tiny embeddings whose cohort statistics are worked out by
// hand in the comments, plus symmetry, top-N selection and the error cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MIN_SD, asNorm, buildCohort, cohortScores, cohortStats, cosineScore, normalizeScore, sNorm, scoreStats,
} from '../../web/src/score-norm.mjs';

const close = (a, b, eps = 1e-6, what = '') => assert.ok(Math.abs(a - b) <= eps, `${what} ${a} vs ${b}`);

test('buildCohort L2-normalises the rows into one Float32Array', () => {
  const c = buildCohort([new Float32Array([3, 4]), [0, -2], new Float32Array([1, 0])]);
  assert.equal(c.size, 3);
  assert.equal(c.dim, 2);
  assert.ok(c.data instanceof Float32Array);
  assert.deepEqual(Array.from(c.data), [0.6, 0.8, 0, -1, 1, 0].map(Math.fround));
});

// 2-D: cohort rows (after normalisation) [1,0], [0,1], [-1,0]; e = [1,0] (given as [3,0]), t = [0,1]; s = 0.
//   e vs cohort: 1, 0, -1  -> mu_e = 0,   var_e = (1 + 0 + 1) / 3 = 2/3,          sd_e = sqrt(2/3)
//   t vs cohort: 0, 1, 0   -> mu_t = 1/3, var_t = (1/9 + 4/9 + 1/9) / 3 = 2/9,    sd_t = sqrt(2)/3
//   S-norm = 0.5 * ((0 - 0) / sqrt(2/3) + (0 - 1/3) / (sqrt(2)/3)) = 0.5 * (-1/sqrt(2)) = -0.353553...
//   AS-norm top 2: e -> {1, 0}: mu 0.5, sd 0.5; t -> {1, 0}: mu 0.5, sd 0.5
//                  = 0.5 * ((0 - 0.5)/0.5 + (0 - 0.5)/0.5) = -1
const cohort2 = buildCohort([[1, 0], [0, 2], [-5, 0]]);
const e2 = new Float32Array([3, 0]);
const t2 = new Float32Array([0, 1]);

test('2-D: cohort scores and full-cohort stats by hand', () => {
  assert.deepEqual(Array.from(cohortScores(cohort2, e2)), [1, 0, -1]);
  assert.deepEqual(Array.from(cohortScores(cohort2, t2)), [0, 1, 0]);
  const se = cohortStats(cohort2, e2), st = cohortStats(cohort2, t2);
  close(se.mean, 0, 1e-12, 'mu_e');
  close(se.sd, Math.sqrt(2 / 3), 1e-12, 'sd_e');
  close(st.mean, 1 / 3, 1e-12, 'mu_t');
  close(st.sd, Math.sqrt(2) / 3, 1e-12, 'sd_t');
  assert.equal(se.n, 3);
});

test('2-D: S-norm = -1/(2 sqrt 2), AS-norm top 2 = -1', () => {
  close(sNorm(e2, t2, cohort2), -1 / (2 * Math.SQRT2), 1e-9, 's-norm');
  close(asNorm(e2, t2, cohort2, 2), -1, 1e-9, 'as-norm');
});

// 3-D: e = [1,1,0], t = [1,0,0]: s = 1/sqrt(2). Cohort [1,0,0], [0,1,0], [0,0,1], [1,1,1]/sqrt(3).
//   e vs cohort: 1/sqrt2, 1/sqrt2, 0, 2/sqrt6      t vs cohort: 1, 0, 0, 1/sqrt3
//   top 2 of e: {2/sqrt6, 1/sqrt2} (0.8165, 0.7071)   top 2 of t: {1, 1/sqrt3} (positions 0 and 3, not adjacent)
//   mean and sd of two values a, b: (a + b)/2 and |a - b|/2
const cohort3 = buildCohort([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]]);
const e3 = [1, 1, 0], t3 = [1, 0, 0];
const r2 = Math.SQRT1_2, r6 = 2 / Math.sqrt(6), r3 = 1 / Math.sqrt(3);

test('3-D: AS-norm picks each side\'s own top-N cohort scores', () => {
  const se = cohortStats(cohort3, e3, { topN: 2 }), st = cohortStats(cohort3, t3, { topN: 2 });
  close(se.mean, (r6 + r2) / 2, 1e-7, 'mu_e');
  close(se.sd, (r6 - r2) / 2, 1e-7, 'sd_e');
  close(st.mean, (1 + r3) / 2, 1e-7, 'mu_t');
  close(st.sd, (1 - r3) / 2, 1e-7, 'sd_t');
  const s = r2;
  const want = 0.5 * ((s - (r6 + r2) / 2) / ((r6 - r2) / 2) + (s - (1 + r3) / 2) / ((1 - r3) / 2));
  close(asNorm(e3, t3, cohort3, 2), want, 1e-6, 'as-norm');
  // by hand: 0.5 * ((0.707107 - 0.761802) / 0.054695 + (0.707107 - 0.788675) / 0.211325)
  //        = 0.5 * (-1 - 0.385985) = -0.692993  (s equals e's second-best cohort score: exactly -1 on e's side)
  close(asNorm(e3, t3, cohort3, 2), -0.69300, 5e-5, 'as-norm (decimal)');
});

test('3-D: S-norm over all 4 cohort members', () => {
  const muE = (2 * r2 + r6) / 4, muT = (1 + r3) / 4;
  const sdE = Math.sqrt((2 * (r2 - muE) ** 2 + muE ** 2 + (r6 - muE) ** 2) / 4);
  const sdT = Math.sqrt(((1 - muT) ** 2 + 2 * muT ** 2 + (r3 - muT) ** 2) / 4);
  const want = 0.5 * ((r2 - muE) / sdE + (r2 - muT) / sdT);
  close(sNorm(e3, t3, cohort3), want, 1e-6);
});

test('scoreStats: top-N keeps the N largest, does not reorder its input, N >= size means all', () => {
  const scores = Float64Array.from([5, 1, 4, 2, 3]);
  assert.deepEqual(scoreStats(scores, 2), { mean: 4.5, sd: 0.5, n: 2 });
  assert.deepEqual(scoreStats(scores, 3), { mean: 4, sd: Math.sqrt(2 / 3), n: 3 });
  assert.deepEqual(Array.from(scores), [5, 1, 4, 2, 3]);
  assert.deepEqual(scoreStats(scores), { mean: 3, sd: Math.SQRT2, n: 5 });
  assert.deepEqual(scoreStats(scores, 5), scoreStats(scores));
  assert.deepEqual(scoreStats(scores, 99), scoreStats(scores));
  assert.deepEqual(scoreStats([0.5, -2], 1), { mean: 0.5, sd: MIN_SD, n: 1 });  // one value: sd floored
});

test('normalizeScore is the formula', () => {
  close(normalizeScore(0.6, { mean: 0.1, sd: 0.25 }, { mean: 0.2, sd: 0.1 }), 0.5 * (2 + 4), 1e-12);
  assert.equal(normalizeScore(0.3, { mean: 0.3, sd: 1 }, { mean: 0.3, sd: 2 }), 0);
});

function rng(seed) {  // mulberry32
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
}

test('symmetric in e and t, invariant to their scale; AS-norm with N >= cohort size equals S-norm', () => {
  const r = rng(7);
  const vec = () => Float32Array.from({ length: 8 }, r);
  const cohort = buildCohort(Array.from({ length: 30 }, vec));
  for (let k = 0; k < 5; k++) {
    const e = vec(), t = vec();
    const s = sNorm(e, t, cohort);
    close(sNorm(t, e, cohort), s, 1e-12, 'S-norm symmetry');
    close(asNorm(t, e, cohort, 5), asNorm(e, t, cohort, 5), 1e-12, 'AS-norm symmetry');
    close(sNorm(e.map((v) => 3 * v), t, cohort), s, 1e-6, 'scale');
    close(asNorm(e, t, cohort, 30), s, 1e-12, 'N = size');
    close(asNorm(e, t, cohort, 1000), s, 1e-12, 'N > size');
    assert.notEqual(asNorm(e, t, cohort, 5), s);
    close(cosineScore(e, t), Array.from(e).reduce((a, v, i) => a + v * t[i], 0) /
      Math.hypot(...e) / Math.hypot(...t), 1e-6, 'cosine');
  }
});

test('errors: empty cohort, mixed lengths, zero vectors, dimension mismatch, topN < 1', () => {
  assert.throws(() => buildCohort([]), RangeError);
  assert.throws(() => buildCohort([[1, 0], [1, 0, 0]]), /length 3, expected 2/);
  assert.throws(() => buildCohort([[0, 0]]), /no direction/);
  assert.throws(() => cohortScores(cohort2, [1, 0, 0]), /cohort dim 2/);
  assert.throws(() => cohortScores(cohort2, [0, 0]), /no direction/);
  assert.throws(() => scoreStats([1, 2], 0), /topN/);
  assert.throws(() => scoreStats([]), RangeError);
  assert.throws(() => cosineScore([1, 0], [1, 0, 0]), RangeError);
});

// `speaker-id eval --cohort`: the raw fields are those of a run without a cohort, the normalised ones are added,
// AS-norm with N >= cohort size is S-norm, and a cohort that shares recordings with the data is refused.
test('eval --cohort: adds S-norm / AS-norm metrics without changing the raw ones', async () => {
  const { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { SHARED, ROOT, runCli } = await import('./helpers.mjs');
  const model = `${ROOT}build/models/ecapa-small-golden.onnx`;
  const dir = mkdtempSync(join(tmpdir(), 'sid-snorm-'));
  try {
    const src = `${SHARED}/audio/librispeech_test-other`;
    for (const spk of readdirSync(src).sort().slice(0, 3)) {
      mkdirSync(join(dir, 'data', spk), { recursive: true });
      for (const f of readdirSync(join(src, spk)).filter((x) => x.endsWith('.flac')).sort().slice(0, 3)) {
        symlinkSync(join(src, spk, f), join(dir, 'data', spk, f));
      }
    }
    const csrc = `${SHARED}/audio/librispeech_train-clean-100`;
    mkdirSync(join(dir, 'cohort', 'deeper'), { recursive: true });
    for (const f of readdirSync(csrc).filter((x) => x.endsWith('.flac')).sort().slice(0, 4)) {
      symlinkSync(join(csrc, f), join(dir, 'cohort', 'deeper', f));
    }
    const plain = runCli(['eval', '--json', '--enroll', '2', '--model', model, join(dir, 'data')]);
    assert.equal(plain.code, 0, plain.stderr);
    const r = runCli(['eval', '--json', '--enroll', '2', '--model', model, '--cohort', join(dir, 'cohort'),
      '--cohort-top', '2', join(dir, 'data')]);
    assert.equal(r.code, 0, r.stderr);
    const a = JSON.parse(plain.stdout), b = JSON.parse(r.stdout);
    for (const [k, v] of Object.entries(a)) assert.deepEqual(b[k], v, k);
    assert.equal(b.cohortSize, 4);
    assert.equal(b.cohortTop, 2);
    for (const k of ['eerSnorm', 'minDcfSnorm', 'top1Snorm', 'eerAsnorm', 'minDcfAsnorm', 'top1Asnorm']) {
      assert.ok(b[k] >= 0 && b[k] <= 1, `${k} ${b[k]}`);
    }
    const all = JSON.parse(runCli(['eval', '--json', '--enroll', '2', '--model', model, '--cohort',
      join(dir, 'cohort'), '--cohort-top', '50', join(dir, 'data')]).stdout);
    assert.equal(all.cohortTop, 4);
    assert.equal(all.eerAsnorm, all.eerSnorm);
    assert.equal(all.minDcfAsnorm, all.minDcfSnorm);

    const overlap = runCli(['eval', '--model', model, '--cohort', join(dir, 'data'), join(dir, 'data')]);
    assert.equal(overlap.code, 2);
    assert.match(overlap.stderr, /in the cohort and in the data/);
    const missing = runCli(['eval', '--model', model, '--cohort', join(dir, 'nope'), join(dir, 'data')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read the cohort folder/);
    const badTop = runCli(['eval', '--model', model, '--cohort', join(dir, 'cohort'), '--cohort-top', '0', dir]);
    assert.equal(badTop.code, 2);
    assert.match(badTop.stderr, /--cohort-top/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
